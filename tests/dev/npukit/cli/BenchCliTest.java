package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
                Arguments.of("--layout", new String[] {"attention", "--layout", "NHD,NDH"}),
                Arguments.of("--layout", new String[] {"attention", "--layout", "HND,HND"}),
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
                Arguments.of("--model", new String[] {"decode"}),
                Arguments.of("--model", new String[] {"decode", "--model", "x", "--random", "tiny"}),
                Arguments.of("--model", new String[] {"decode", "--model", "no-such-dir"}),
                Arguments.of("--random", new String[] {"decode", "--random", "1T"}),
                Arguments.of("--batch", new String[] {"decode", "--random", "tiny", "--batch", "1,0"}),
                Arguments.of("--prompt", new String[] {"decode", "--random", "tiny", "--prompt", "0"}),
                Arguments.of("--tokens", new String[] {"decode", "--random", "tiny", "--tokens", "0"}),
                Arguments.of("--tokens", new String[] {"decode", "--random", "tiny", "--prompt", "1000", "--tokens", "25"}),
                Arguments.of("--runs", new String[] {"decode", "--random", "tiny", "--runs", "0"}),
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
        assertEquals(1, r.err().lines().count(), "one line, the usage one --help away: " + r.err());
        assertTrue(r.err().contains("npukit bench " + args[0] + " --help"), r.err());
        assertEquals("", r.out(), "nothing measured");
    }

    @Test
    void unknownBackendIsAUsageErrorNotAStackTrace() {
        CliRun r = CliRun.of("bench", "attention", "--backend", "no-such-backend", "--json");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().startsWith("--backend: unknown backend 'no-such-backend', expected one of "), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void defaultsReadAsInputAndEnumsIgnoreCase() {
        CliRun help = CliRun.of("bench", "contrastive", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("Default: 1,8,64,256") && help.out().contains("Default: F32,BF16"), help.out());
        assertFalse(help.out().contains("[1, 8"), help.out());
        CliRun lower = CliRun.of("bench", "contrastive", "--batch", "1", "--vocab", "300", "--dtype", "bf16,f32",
                "--warmup", "0", "--runs", "1");
        assertEquals(0, lower.code(), lower.err());
        assertTrue(lower.out().contains("BF16") && lower.out().contains("of bw = "), "legend: " + lower.out());
        assertFalse(lower.out().contains("BackendInfo["), "no raw record: " + lower.out());
        assertEquals("", lower.stray(), "everything through the command's writers");
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

    /** A 'bench attention --json' output with one shape: NONE and NEOX times, probe GB/s. */
    private static Path attentionRun(Path dir, String name, double noneMs, double neoxMs, double probe) throws Exception {
        String json = "{\"readBandwidthGbPerS\": " + probe + ", \"cases\": ["
                + "{\"ropeStyle\": \"NONE\", \"numSeqs\": 8, \"kvLen\": 4096, \"medianMs\": " + noneMs
                + ", \"gbPerS\": " + 100 / noneMs + ", \"bandwidthRatio\": " + 100 / noneMs / probe + "},"
                + "{\"ropeStyle\": \"NEOX\", \"numSeqs\": 8, \"kvLen\": 4096, \"medianMs\": " + neoxMs
                + ", \"gbPerS\": " + 100 / neoxMs + ", \"bandwidthRatio\": " + 100 / neoxMs / probe + "}]}";
        Path f = dir.resolve(name);
        Files.writeString(f, json);
        return f;
    }

    @Test
    void summaryGivesMediansAndQuartilesOverRuns(@TempDir Path dir) throws Exception {
        // NEOX / NONE per run: 1.0, 1.1, 1.2, 1.5 -> median 1.15, quartiles 1.075 and 1.275.
        Path a = attentionRun(dir, "a.json", 10, 10, 20);
        Path b = attentionRun(dir, "b.json", 10, 11, 20);
        Path c = attentionRun(dir, "c.json", 5, 6, 40);
        Path d = attentionRun(dir, "d.json", 4, 6, 40);
        CliRun r = CliRun.of("bench", "summary", "--json", a.toString(), b.toString(), c.toString(), d.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode root = JSON.readTree(r.out());
        assertEquals(4, root.get("runs").asInt());
        assertEquals(30.0, root.get("readBandwidthGbPerS").get("median").asDouble(), 1e-9);
        JsonNode none = root.get("cases").get(0);
        JsonNode neox = root.get("cases").get(1);
        assertEquals("NONE", none.get("ropeStyle").asText());
        assertEquals("NHD", none.get("layout").asText(), "runs without a layout are NHD");
        assertEquals(7.5, none.get("medianMs").asDouble(), 1e-9, "median of 4, 5, 10, 10");
        assertEquals(0.5, none.get("bandwidthRatio").get("median").asDouble(), 1e-9, "ratios 0.5, 0.5, 0.5, 0.625");
        assertFalse(none.has("overNone"));
        assertEquals(1.15, neox.get("overNone").get("median").asDouble(), 1e-9);
        assertEquals(1.075, neox.get("overNone").get("q1").asDouble(), 1e-9);
        assertEquals(1.275, neox.get("overNone").get("q3").asDouble(), 1e-9);

        // Probes of 20 and 40 GB/s: two modes of the memory, each summed up over its own runs.
        JsonNode modes = root.get("modes");
        assertEquals(2, modes.size(), modes.toString());
        JsonNode slow = modes.get(0);
        assertEquals("slow", slow.get("mode").asText());
        assertEquals("[\"a.json\",\"b.json\"]", slow.get("files").toString());
        assertEquals(20.0, slow.get("readBandwidthGbPerS").get("median").asDouble(), 1e-9);
        assertEquals(10.0, slow.get("cases").get(0).get("medianMs").asDouble(), 1e-9, "NONE in a and b");
        assertEquals(1.05, slow.get("cases").get(1).get("overNone").get("median").asDouble(), 1e-9, "1.0 and 1.1");
        JsonNode fast = modes.get(1);
        assertEquals("fast", fast.get("mode").asText());
        assertEquals(2, fast.get("runs").asInt());
        assertEquals(4.5, fast.get("cases").get(0).get("medianMs").asDouble(), 1e-9, "NONE in c and d");
        assertEquals(1.35, fast.get("cases").get(1).get("overNone").get("median").asDouble(), 1e-9, "1.2 and 1.5");

        CliRun table = CliRun.of("bench", "summary", "--markdown", a.toString(), b.toString(), c.toString(), d.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("| NHD | NEOX | 8 | 4096 | 8.000 |"), table.out());
        assertTrue(table.out().contains("1.15x (1.08–1.28)"), table.out());
        assertTrue(table.out().contains("slow mode of the memory: 2 runs (a.json, b.json)"), table.out());
        assertTrue(table.out().contains("fast mode of the memory: 2 runs (c.json, d.json)"), table.out());
        assertTrue(table.out().contains("| 1.35x ("), "the fast mode's own NEOX / NONE: " + table.out());
    }

    @Test
    void runsInOneModeGetOneTable(@TempDir Path dir) throws Exception {
        Path a = attentionRun(dir, "a.json", 10, 11, 33);
        Path b = attentionRun(dir, "b.json", 10, 12, 36);
        CliRun r = CliRun.of("bench", "summary", "--json", a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode modes = JSON.readTree(r.out()).get("modes");
        assertEquals(1, modes.size(), modes.toString());
        assertEquals("single", modes.get(0).get("mode").asText());
        assertEquals(2, modes.get(0).get("runs").asInt());
        CliRun table = CliRun.of("bench", "summary", a.toString(), b.toString());
        assertEquals(0, table.code(), table.err());
        assertFalse(table.out().contains("mode of the memory"), table.out());
    }

    @Test
    void summaryRefusesRunsOfDifferentShapes(@TempDir Path dir) throws Exception {
        Path a = attentionRun(dir, "a.json", 10, 10, 20);
        Path other = dir.resolve("other.json");
        Files.writeString(other, Files.readString(a).replace("4096", "512"));
        CliRun r = CliRun.of("bench", "summary", a.toString(), other.toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("other.json: case NHD NONE 8 512 is not in"), r.err());
        Path notJson = dir.resolve("bench.txt");
        Files.writeString(notJson, "median 3 ms");
        CliRun bad = CliRun.of("bench", "summary", notJson.toString());
        assertEquals(1, bad.code(), bad.err());
        assertTrue(bad.err().startsWith("npukit bench summary: error: ") && bad.err().contains("bench.txt"), bad.err());
        Path prefill = dir.resolve("prefill.json");
        Files.writeString(prefill, "{\"mode\": \"prefill\", \"peakGflops\": 200, \"cases\": []}");
        CliRun p = CliRun.of("bench", "summary", prefill.toString());
        assertEquals(1, p.code(), p.err());
        assertTrue(p.err().contains("prefill.json: a 'bench attention --mode prefill' run"), p.err());
    }
}
