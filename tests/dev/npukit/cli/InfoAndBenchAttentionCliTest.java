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
        }
        assertTrue(r.err().contains("NONE and NEOX, seqs=2 kvLen=100"), "progress goes to stderr: " + r.err());
    }

    @Test
    void badOptionIsAUsageError() {
        CliRun r = CliRun.of("bench", "attention", "--seqs", "many");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--seqs"), r.err());
    }
}
