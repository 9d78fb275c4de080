package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaWeights;
import dev.npukit.tensor.DType;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code npukit bench decode}: the report's contract (field names, one case per batch, the bound
 * derived from the weight bytes and the bandwidth as documented), on the tiny random model and on a
 * checkpoint directory. Speed itself is the benchmark's business, not a test's.
 */
class BenchDecodeCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void randomTinyModelReportsEveryBatchWithItsBound() throws Exception {
        CliRun r = CliRun.of("bench", "decode", "--random", "tiny", "--backend", "cpu", "--batch", "1,3", "--prompt", "5",
                "--tokens", "3", "--warmup", "0", "--runs", "2", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode report = JSON.readTree(r.out());
        LlamaConfig tiny = LlamaConfig.tiny(2);
        assertEquals("random tiny", report.get("model").asText());
        assertEquals("BF16", report.get("weightDtype").asText());
        assertEquals(2, report.get("layers").asInt());
        // q, k, v, o, gate, up, down of 2 layers plus the (untied) LM head, two bytes each.
        long perLayer = 32L * 32 + 2 * 16L * 32 + 32L * 32 + 3 * 48L * 32;
        assertEquals(2 * (2 * perLayer + (long) tiny.vocabSize() * tiny.hiddenSize()),
                report.get("weightBytesPerStep").asLong());
        checkCases(report, 1, 3);
        assertTrue(r.err().contains("batch 3"), "progress on stderr: " + r.err());
    }

    @Test
    void checkpointDirectoryKeepsItsDtype(@TempDir Path dir) throws Exception {
        LlamaWeights.random(LlamaConfig.tiny(1), 5, DType.F32).save(dir);
        CliRun r = CliRun.of("bench", "decode", "--model", dir.toString(), "--backend", "reference", "--batch", "2",
                "--prompt", "3", "--tokens", "2", "--warmup", "0", "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode report = JSON.readTree(r.out());
        assertEquals("F32", report.get("weightDtype").asText());
        assertEquals("reference", report.get("backend").asText());
        checkCases(report, 2);
    }

    /** One case per batch, in order, with the contract's fields consistent with each other. */
    private static void checkCases(JsonNode report, int... batches) {
        double bandwidth = report.get("readBandwidthGbPerS").asDouble();
        assertTrue(bandwidth > 0, report.toString());
        long stepBytes = report.get("weightBytesPerStep").asLong();
        JsonNode cases = report.get("cases");
        assertEquals(batches.length, cases.size(), report.toString());
        for (int i = 0; i < batches.length; i++) {
            JsonNode c = cases.get(i);
            assertEquals(batches[i], c.get("batch").asInt(), c.toString());
            double tokensPerSecond = c.get("tokensPerSecond").asDouble();
            double bound = c.get("boundTokensPerSecond").asDouble();
            assertTrue(tokensPerSecond > 0 && bound > 0 && c.get("ratio").asDouble() > 0, c.toString());
            // The bound is batch x this case's probe bandwidth / weight bytes per step.
            double caseBandwidth = c.get("readBandwidthGbPerS").asDouble();
            assertEquals(batches[i] * caseBandwidth * 1e9 / stepBytes, bound, 0.01 * bound, c.toString());
            assertEquals(tokensPerSecond / bound, c.get("ratio").asDouble(), 0.01, c.toString());
            assertEquals(batches[i] * 1000.0 / c.get("msPerStep").asDouble(), tokensPerSecond, 0.01 * tokensPerSecond,
                    c.toString());
        }
    }
}
