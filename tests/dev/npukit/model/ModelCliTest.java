package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npukit.backend.Backends;
import dev.npukit.cli.CliRun;
import dev.npukit.serving.ServingEngine;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line: {@code decode} on a model directory written by Java code (greedy without an
 * adapter equals the model's own argmax chain; with an adapter it runs CoLD; a broken file is a
 * clear error), and {@code demo --json} on a small workload prints only JSON with every policy and
 * writes the report.
 */
class ModelCliTest {
    @TempDir
    Path dir;

    @Test
    void decodeRunsOnAModelDirectory() throws Exception {
        LlamaConfig c = LlamaConfig.tiny(2);
        LlamaWeights w = LlamaWeights.random(c, 12, DType.BF16);
        w.save(dir.resolve("m"));
        LoraAdapter.random(c, 4, 8f, 3, 0.4f, "self_attn.q_proj", "mlp.down_proj").save(dir.resolve("lora"), c);
        int[] prompt = {5, 17, 33, 2, 9};
        CliRun plain = CliRun.of("decode", "--model", dir.resolve("m").toString(), "--prompt-tokens", "5,17,33,2,9",
                "--max-tokens", "6", "--json");
        assertEquals(0, plain.code(), plain.err());
        JsonNode tokens = new ObjectMapper().readTree(plain.out()).path("tokens");
        assertEquals(6, tokens.size());
        // The same chain computed directly with the model.
        int[] expected = new int[6];
        try (LlamaModel m = new LlamaModel(Backends.best(), w, List.of()); ModelLogits l = new ModelLogits(m, 8, 16)) {
            int[] pending = prompt;
            for (int i = 0; i < 6; i++) {
                try (Tensor t = l.logits(List.of(new dev.npukit.cold.LogitsModel.Row(1, -1, pending)))) {
                    expected[i] = ServingEngine.argmax(t.toFloatArray());
                }
                pending = new int[] {expected[i]};
            }
        }
        int[] got = new int[6];
        for (int i = 0; i < 6; i++) {
            got[i] = tokens.get(i).asInt();
        }
        assertArrayEquals(expected, got);

        CliRun cold = CliRun.of("decode", "--model", dir.resolve("m").toString(), "--adapter", dir.resolve("lora").toString(),
                "--prompt-tokens", "5,17,33,2,9", "--max-tokens", "6");
        assertEquals(0, cold.code(), cold.err());
        assertEquals(6, cold.out().trim().split(",").length, cold.out());

        Path model = dir.resolve("m/model.safetensors");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        CliRun broken = CliRun.of("decode", "--model", dir.resolve("m").toString(), "--prompt-tokens", "1");
        assertEquals(1, broken.code(), "a corrupt checkpoint is an error met while running");
        assertTrue(broken.err().contains("npukit decode: error: ") && broken.err().contains("model.safetensors")
                && broken.err().contains("truncated"), broken.err());
        assertEquals("", broken.out());
    }

    @Test
    void demoAndDecodeRefuseEachBadSizeNamingTheOption() {
        String[][] cases = {{"--requests", "0"}, {"--documents", "0"}, {"--doc-tokens", "3"}, {"--chunks", "0"},
            {"--new-tokens", "0"}, {"--chunks", "9"}};
        for (String[] c : cases) {
            CliRun r = c[0].equals("--documents") ? CliRun.of("demo", c[0], c[1])
                    : CliRun.of("demo", "--documents", "4", c[0], c[1]);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().startsWith(c[0] + ": "), r.err());
            assertEquals("", r.out());
        }
        CliRun decode = CliRun.of("decode", "--model", "no-such-dir", "--prompt-tokens", "1", "--max-tokens", "0");
        assertEquals(2, decode.code(), decode.err());
        assertTrue(decode.err().startsWith("--max-tokens: "), decode.err());
    }

    @Test
    void demoJsonHasEveryPolicyAndWritesTheReport() throws Exception {
        Path out = dir.resolve("demo");
        CliRun r = CliRun.of("demo", "--requests", "6", "--documents", "4", "--doc-tokens", "40", "--chunks", "2",
                "--new-tokens", "3", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertEquals(5, root.path("serving").size());
        for (String build : List.of("version", "commit", "date", "machine")) {
            assertTrue(root.path(build).isTextual() && !root.path(build).asText().isBlank(), build + ": " + root);
        }
        for (JsonNode p : root.path("serving")) {
            assertTrue(p.path("peakBlocks").asInt() > 0 && p.path("tokensPerSecond").asDouble() > 0, p.toString());
        }
        assertEquals(0.0, root.path("serving").get(0).path("meanKlVsFull").asDouble());
        for (JsonNode c : root.path("kernelChecks")) {
            assertTrue(c.path("passed").asBoolean(), c.toString());
        }
        JsonNode store = root.path("chunkStore");
        assertEquals(List.of("kind", "chunksComputed", "chunksLoaded", "bytesLoaded", "loadSeconds"),
                iterable(store.fieldNames()));
        assertEquals("memory", store.path("kind").asText());
        assertTrue(store.path("chunksComputed").asLong() > 0 && store.path("chunksLoaded").asLong() > 0
                && store.path("bytesLoaded").asLong() > 0 && store.path("loadSeconds").asDouble() >= 0, store.toString());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("MEPIC") && html.contains("data:image/png;base64,"));
        assertTrue(r.err().contains("report written to"), "progress and location on stderr");
    }

    /**
     * Two demo runs on one disk chunk store: the second computes no chunk (every one is loaded from the first run's
     * files) and serves with the same outcome.
     */
    @Test
    void demoOnADiskChunkStoreLoadsTheFirstRunsChunks() throws Exception {
        String store = "disk:" + dir.resolve("chunks");
        JsonNode[] runs = new JsonNode[2];
        for (int i = 0; i < 2; i++) {
            CliRun r = CliRun.of("demo", "--requests", "6", "--documents", "4", "--doc-tokens", "40", "--chunks", "2",
                    "--new-tokens", "3", "--out", dir.resolve("demo" + i).toString(), "--chunk-store", store, "--json");
            assertEquals(0, r.code(), r.err());
            runs[i] = new ObjectMapper().readTree(r.out());
            assertEquals("disk", runs[i].path("chunkStore").path("kind").asText());
        }
        assertTrue(runs[0].path("chunkStore").path("chunksComputed").asLong() > 0, runs[0].toString());
        assertEquals(0, runs[1].path("chunkStore").path("chunksComputed").asLong(), runs[1].toString());
        assertTrue(runs[1].path("chunkStore").path("chunksLoaded").asLong()
                >= runs[0].path("chunkStore").path("chunksComputed").asLong());
        for (int p = 0; p < 5; p++) {
            JsonNode a = runs[0].path("serving").get(p);
            JsonNode b = runs[1].path("serving").get(p);
            assertEquals(a.path("tokensComputed").asLong(), b.path("tokensComputed").asLong(), a.toString());
            assertEquals(a.path("meanKlVsFull").asDouble(), b.path("meanKlVsFull").asDouble(), a.toString());
        }
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }
}
