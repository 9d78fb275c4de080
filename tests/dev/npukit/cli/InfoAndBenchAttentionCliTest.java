package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code npukit info} and {@code npukit bench attention}: JSON on stdout is JSON and nothing else. */
class InfoAndBenchAttentionCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void infoJsonListsEveryBackendWithAReason() throws Exception {
        CliRun r = CliRun.of("info", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = JSON.readTree(r.out());
        Set<String> names = new HashSet<>();
        for (JsonNode b : root.get("backends")) {
            names.add(b.get("name").asText());
            assertTrue(b.has("available") && b.has("reason") && b.has("mode"), b.toString());
            assertTrue(!b.get("reason").asText().isBlank(), "a reason for " + b);
        }
        assertEquals(Set.of("ascend", "cpu", "reference"), names);
        assertTrue(root.get("cpuFeatures").asText().length() > 0);
        for (String backend : new String[] {"cpu", "reference"}) {
            JsonNode m = root.get("memory").get(backend);
            assertTrue(m != null && m.has("bytes") && m.has("tensors") && m.has("peakBytes"), root.toString());
            assertTrue(m.get("bytes").asLong() >= 0 && m.get("peakBytes").asLong() >= m.get("bytes").asLong(),
                    m.toString());
        }
    }

    @Test
    void benchAttentionJsonHasEveryCase() throws Exception {
        CliRun r = CliRun.of("bench", "attention", "--seqs", "1,2", "--kv-lens", "40,100", "--layout", "NHD,HND",
                "--warmup", "0", "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = JSON.readTree(r.out());
        assertTrue(root.get("readBandwidthGbPerS").asDouble() > 0);
        // The probe's 15 reads (5 allocations x 3), in one mode or split into two.
        JsonNode modes = root.get("readBandwidthModes");
        assertTrue(modes.size() == 1 || modes.size() == 2, modes.toString());
        int reads = 0;
        for (JsonNode m : modes) {
            assertTrue(m.get("minGbPerS").asDouble() <= m.get("gbPerS").asDouble()
                    && m.get("gbPerS").asDouble() <= m.get("maxGbPerS").asDouble(), m.toString());
            reads += m.get("reads").asInt();
        }
        assertEquals(15, reads, modes.toString());
        assertEquals(modes.size() == 1 ? "single" : "slow", modes.get(0).get("mode").asText());
        assertEquals("[\"NHD\",\"HND\"]", root.get("layouts").toString());
        JsonNode cases = root.get("cases");
        assertEquals(2 * 2 * 2 * 2, cases.size(), "seqs x kvLens x {NHD, HND} x {NONE, NEOX}");
        assertEquals("HND", cases.get(2).get("layout").asText(), "per shape: NHD NONE, NHD NEOX, HND NONE, HND NEOX");
        for (JsonNode c : cases) {
            for (String field : new String[] {"layout", "ropeStyle", "numSeqs", "kvLen", "medianMs", "gbPerS",
                "bandwidthRatio"}) {
                assertTrue(c.has(field), field + " missing in " + c);
            }
            assertTrue(c.get("medianMs").asDouble() > 0);
            assertEquals("decode", c.get("mode").asText());
        }
        assertTrue(r.err().contains("NONE and NEOX, seqs=2 kvLen=100"), "progress goes to stderr: " + r.err());
    }

    @Test
    void benchAttentionPrefillJsonHasEveryCaseAndThePeak() throws Exception {
        CliRun r = CliRun.of("bench", "attention", "--mode", "prefill", "--query-rows", "3,40", "--kv-lens", "20,100",
                "--layout", "NHD,HND", "--heads", "8", "--kv-heads", "2", "--head-dim", "64", "--warmup", "0",
                "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = JSON.readTree(r.out());
        assertEquals("prefill", root.get("mode").asText());
        assertTrue(root.get("peakGflops").asDouble() > 0, root.toString());
        JsonNode cases = root.get("cases");
        assertEquals(3 * 2 * 2, cases.size(), "(3, 20), (3, 100), (40, 100) x {NHD, HND} x {NONE, NEOX}");
        assertEquals("[\"seqs=1 queryRows=40 kvLen=20\"]", root.get("skipped").toString());
        Set<String> shapes = new HashSet<>();
        for (JsonNode c : cases) {
            for (String field : new String[] {"mode", "layout", "ropeStyle", "queryRows", "kvLen", "gflops",
                "peakRatio"}) {
                assertTrue(c.has(field), field + " missing in " + c);
            }
            assertEquals("prefill", c.get("mode").asText());
            assertTrue(c.get("gflops").asDouble() > 0, c.toString());
            assertEquals(c.get("gflops").asDouble() / c.get("probeGflops").asDouble(),
                    c.get("peakRatio").asDouble(), 2e-3 + 1e-2 * c.get("peakRatio").asDouble(), c.toString());
            shapes.add(c.get("layout").asText() + c.get("ropeStyle").asText() + c.get("queryRows") + "/"
                    + c.get("kvLen"));
        }
        assertEquals(12, shapes.size(), shapes.toString());
        assertTrue(r.err().contains("skipping queryRows=40 kvLen=20"), r.err());
    }

    @Test
    void prefillGflopsCountsTheVisibleSlotsOfEveryRow() {
        // Rows at positions 7, 8, 9 of a 10-slot context see 8 + 9 + 10 = 27 slots.
        assertEquals(4.0 * 64 * 8 * 27, PrefillBench.flops(1, 3, 10, 8, 64));
        assertEquals(2 * 4.0 * 64 * 8 * 27, PrefillBench.flops(2, 3, 10, 8, 64));
    }

    @Test
    void badPrefillOptionsNameTheOption() {
        String[][] bad = {
            {"--mode", "prefill", "--query-rows", "0"},
            {"--mode", "prefill", "--query-rows", "200", "--kv-lens", "100,150"},
            {"--query-rows", "16"},
            {"--mode", "sideways"},
        };
        String[] named = {"--query-rows", "--query-rows", "--query-rows", "--mode"};
        for (int i = 0; i < bad.length; i++) {
            String[] args = new String[bad[i].length + 2];
            args[0] = "bench";
            args[1] = "attention";
            System.arraycopy(bad[i], 0, args, 2, bad[i].length);
            CliRun r = CliRun.of(args);
            assertEquals(2, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().contains(named[i]), r.err());
        }
    }

    @Test
    void badOptionIsAUsageError() {
        CliRun r = CliRun.of("bench", "attention", "--seqs", "many");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--seqs"), r.err());
    }
}
