package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code bench} subcommands: every one takes {@code --warmup} and {@code --runs}, refuses an
 * out-of-range option before doing any work (exit code 2, a message naming the option), and
 * reports an error met while running as one line (exit code 1), not a stack trace.
 */
class BenchCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> badOptions() {
        return Stream.of(
                Arguments.of("--runs", new String[] {"attention", "--runs", "0"}),
                Arguments.of("--warmup", new String[] {"attention", "--warmup", "-1"}),
                Arguments.of("--seqs", new String[] {"attention", "--seqs", "1,0"}),
                Arguments.of("--kv-lens", new String[] {"attention", "--kv-lens", "-4"}),
                Arguments.of("--heads", new String[] {"attention", "--heads", "30", "--kv-heads", "8"}),
                Arguments.of("--kv-heads", new String[] {"attention", "--kv-heads", "0"}),
                Arguments.of("--head-dim", new String[] {"attention", "--head-dim", "63"}),
                Arguments.of("--block-size", new String[] {"attention", "--block-size", "0"}),
                Arguments.of("--batch", new String[] {"contrastive", "--batch", "0"}),
                Arguments.of("--vocab", new String[] {"contrastive", "--vocab", "-1"}),
                Arguments.of("--runs", new String[] {"contrastive", "--runs", "0"}),
                Arguments.of("--warmup", new String[] {"contrastive", "--warmup", "-2"}),
                Arguments.of("--dtype", new String[] {"contrastive", "--dtype", "F32,I32"}),
                Arguments.of("--dtype", new String[] {"bgmv", "--dtype", "I32"}),
                Arguments.of("--hidden", new String[] {"bgmv", "--hidden", "0"}),
                Arguments.of("--rank", new String[] {"bgmv", "--rank", "16,0"}),
                Arguments.of("--adapters", new String[] {"bgmv", "--adapters", "0"}),
                Arguments.of("--batch", new String[] {"bgmv", "--batch", "0"}),
                Arguments.of("--runs", new String[] {"bgmv", "--runs", "0"}),
                Arguments.of("--chunks", new String[] {"cache", "--chunks", "0"}),
                Arguments.of("--warmup", new String[] {"cache", "--warmup", "-1"}),
                Arguments.of("--warmup", new String[] {"sqlalign", "--warmup", "0"}),
                Arguments.of("--runs", new String[] {"sqlalign", "--runs", "0"}));
    }

    @ParameterizedTest(name = "bench {1}")
    @MethodSource("badOptions")
    void outOfRangeOptionIsAUsageErrorNamingIt(String option, String[] args) {
        String[] full = Stream.concat(Stream.of("bench"), Stream.of(args)).toArray(String[]::new);
        CliRun r = CliRun.of(full);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith(option + ": "), "message names " + option + ": " + r.err());
        assertTrue(r.err().contains("Usage:"), r.err());
        assertEquals("", r.out(), "nothing measured");
    }

    @Test
    void errorWhileRunningIsOneLineNotAStackTrace() {
        CliRun r = CliRun.of("bench", "attention", "--backend", "no-such-backend", "--json");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("npukit bench attention: error: "), r.err());
        assertTrue(r.err().contains("no-such-backend"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void contrastiveJsonHasEveryCase() throws Exception {
        CliRun r = CliRun.of("bench", "contrastive", "--batch", "1,3", "--vocab", "1000", "--dtype", "F32",
                "--warmup", "0", "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = JSON.readTree(r.out());
        assertEquals(1, root.get("runs").asInt());
        assertEquals(0, root.get("warmup").asInt());
        JsonNode cases = root.get("cases");
        assertEquals(2, cases.size(), "batches x vocabs x dtypes");
        for (JsonNode c : cases) {
            assertTrue(c.get("fusedMs").asDouble() > 0 && c.get("naiveMs").asDouble() > 0, c.toString());
            int batch = c.get("batch").asInt();
            assertEquals(batch + "/" + batch, c.get("tokensAgree").asText(), "fused and naive pick the same tokens");
        }
    }

    @Test
    void bgmvJsonHasEveryCase() throws Exception {
        CliRun r = CliRun.of("bench", "bgmv", "--hidden", "64", "--rank", "8,16", "--adapters", "2", "--batch", "4",
                "--dtype", "F32", "--warmup", "0", "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = JSON.readTree(r.out());
        assertEquals(1, root.get("runs").asInt());
        JsonNode cases = root.get("cases");
        assertEquals(2 * 2, cases.size(), "ranks x {shrink, expand}");
        for (JsonNode c : cases) {
            assertTrue(c.get("ms").asDouble() > 0, c.toString());
        }
    }
}
