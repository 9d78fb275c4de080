package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.check.KernelCheck;
import dev.npukit.backend.Backends;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Llama 3.x RoPE scaling and Qwen2 attention biases, read from config.json and checkpoints as
 * Hugging Face writes them, against {@link HfReference}: the inverse frequencies of every
 * supported rope_scaling type, and whole forward passes with scaling, biases and tied embeddings.
 * Every refused config field is a one-line message naming the field.
 */
class HfArchitecturesTest {
    static final double BOUND = 1e-4;

    @TempDir
    Path dir;

    /** A tiny config: head dim 8, theta 10000, so the wavelengths are 2π·{1, 10, 100, 1000}. */
    static LlamaConfig tiny(int kvHeads, RopeScaling scaling, boolean qkvBias, boolean oBias, boolean tie) {
        return new LlamaConfig(97, 32, 48, 2, 4, kvHeads, 8, 1e-6f, 10000.0, 256, tie, scaling, qkvBias, oBias);
    }

    static float[] modelLogits(LlamaWeights w, int[] prompt) {
        try (LlamaModel m = new LlamaModel(Backends.get("cpu"), w, List.of()); PagedKvCache c = m.newCache(8, 4, DType.F32);
                Tensor t = m.forward(c, List.of(new LlamaModel.Span(new int[] {3, 1, 0, 2, 7, 6}, 0, prompt, -1, true, true)))) {
            return t.toFloatArray();
        }
    }

    static int[] prompt(int n) {
        return LlamaModelTest.tokens(new Random(4), n, 97);
    }

    @Test
    void invFreqOfEveryScalingTypeIsHuggingFaces() {
        RopeScaling[] types = {RopeScaling.NONE, RopeScaling.linear(4), RopeScaling.dynamic(4),
            RopeScaling.llama3(8, 1, 8, 64), RopeScaling.llama3(32, 1, 4, 8192)};
        for (RopeScaling s : types) {
            for (int headDim : new int[] {8, 64, 128}) {
                for (double theta : new double[] {10000, 500000}) {
                    LlamaConfig c = new LlamaConfig(97, 32, 48, 1, 4, 2, headDim, 1e-6f, theta, 131072, false, s, false,
                            false);
                    // dynamic: Hugging Face's formula at the longest sequence the table serves
                    double[] expected = HfReference.invFreq(c, c.maxPositions());
                    double[] got = s.invFreq(headDim, theta);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(expected[i], got[i], 1e-12 * expected[i], s + " dim " + headDim + " pair " + i);
                    }
                }
            }
        }
        // Llama 3.1 8B's parameters (factor 8, 1/4, 8192, theta 500000, dim 128): the bands are all present.
        double[] inv = RopeScaling.llama3(8, 1, 4, 8192).invFreq(128, 500000);
        double[] plain = RopeScaling.NONE.invFreq(128, 500000);
        assertEquals(plain[0], inv[0], 0.0, "high frequencies are kept");
        assertEquals(plain[63] / 8, inv[63], 1e-15, "low frequencies are divided by the factor");
        long medium = java.util.stream.IntStream.range(0, 64)
                .filter(i -> inv[i] != plain[i] && Math.abs(inv[i] - plain[i] / 8) > 1e-12 * plain[i]).count();
        assertTrue(medium > 0, "some frequencies are interpolated");
    }

    @Test
    void ropeScalingTypesMatchHuggingFaceEndToEnd() throws Exception {
        int[] prompt = prompt(21);
        float[] plain = null;
        for (RopeScaling s : new RopeScaling[] {RopeScaling.NONE, RopeScaling.llama3(8, 1, 8, 64), RopeScaling.linear(3),
            RopeScaling.dynamic(2)}) {
            LlamaConfig c = tiny(2, s, false, false, false);
            Path d = dir.resolve(s.type().name());
            LlamaWeights.random(c, 9, DType.F32).save(d);
            LlamaWeights w = LlamaWeights.load(d);
            assertEquals(c, w.config(), "config.json round trip");
            float[] got = modelLogits(w, prompt);
            float[] ref = HfReference.lastLogits(w, prompt);
            double err = KernelCheck.relativeError(got, ref, DType.F32);
            assertTrue(err < BOUND, s + ": model vs Hugging Face reference " + err);
            if (plain == null) {
                plain = got;
            } else if (s.type() == RopeScaling.Type.DYNAMIC) {
                assertArrayEquals(plain, got, "dynamic NTK within max_position_embeddings is plain RoPE");
            } else {
                assertTrue(KernelCheck.relativeError(got, plain, DType.F32) > 1e-3, s + " changes the logits");
            }
        }
    }

    @Test
    void qwen2ConfigWithBiasesTiedEmbeddingsAndNullKvHeads() throws Exception {
        LlamaConfig c = tiny(4, RopeScaling.NONE, true, false, true);
        LlamaWeights.random(c, 3, DType.BF16).save(dir);
        // As a Qwen2.5 config.json has it.
        edit(dir, n -> {
            n.remove("head_dim");
            n.putNull("num_key_value_heads");
            n.putNull("rope_scaling");
            n.put("use_sliding_window", false).put("sliding_window", 4096).put("max_window_layers", 21);
        });
        assertEquals("qwen2", new ObjectMapper().readTree(dir.resolve("config.json").toFile()).path("model_type").asText());
        LlamaWeights w = LlamaWeights.load(dir);
        assertEquals(c, w.config());
        assertEquals(4, w.config().numKvHeads(), "null num_key_value_heads means num_attention_heads");
        int[] prompt = prompt(17);
        float[] got = modelLogits(w, prompt);
        double err = KernelCheck.relativeError(got, HfReference.lastLogits(w, prompt), DType.F32);
        assertTrue(err < BOUND, "qwen2 vs Hugging Face reference " + err);
        float[] withoutBias = HfReference.lastLogits(w, c.withBiases(false, false, true), prompt);
        assertTrue(KernelCheck.relativeError(withoutBias, got, DType.F32) > 1e-3, "the biases change the logits");
        // Bias tensors the config does not declare are refused, naming the tensor.
        edit(dir, n -> n.put("model_type", "llama").put("attention_bias", false));
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> LlamaWeights.load(dir));
        assertTrue(e.getMessage().contains("_proj.bias': a bias the config does not declare")
                && !e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void llamaAttentionBiasCoversTheOutputProjection() throws Exception {
        LlamaConfig c = tiny(2, RopeScaling.llama3(4, 1, 4, 128), true, true, false);
        LlamaWeights.random(c, 5, DType.F32).save(dir);
        assertTrue(new ObjectMapper().readTree(dir.resolve("config.json").toFile()).path("attention_bias").asBoolean());
        LlamaWeights w = LlamaWeights.load(dir);
        assertEquals(c, w.config());
        int[] prompt = prompt(9);
        float[] got = modelLogits(w, prompt);
        double err = KernelCheck.relativeError(got, HfReference.lastLogits(w, prompt), DType.F32);
        assertTrue(err < BOUND, "llama with attention_bias vs Hugging Face reference " + err);
        float[] withoutBias = HfReference.lastLogits(w, c.withBiases(false, false, false), prompt);
        assertTrue(KernelCheck.relativeError(withoutBias, got, DType.F32) > 1e-3, "the biases change the logits");
    }

    @Test
    void transformers5RopeParametersAreRead() throws Exception {
        LlamaConfig c = tiny(2, RopeScaling.llama3(8, 1, 4, 64), false, false, false);
        LlamaWeights.random(c, 1, DType.F32).save(dir);
        edit(dir, n -> {
            ObjectNode p = ((ObjectNode) n.remove("rope_scaling")).deepCopy();
            p.put("rope_theta", n.remove("rope_theta").asDouble());
            n.set("rope_parameters", p);
        });
        assertEquals(c, LlamaConfig.read(dir.resolve("config.json")));
    }

    @Test
    void unsupportedConfigFieldsAreOneLineNamingTheField() throws Exception {
        LlamaWeights.random(tiny(2, RopeScaling.NONE, false, false, false), 1, DType.F32).save(dir);
        String original = Files.readString(dir.resolve("config.json"));
        Object[][] cases = {
            {(Consumer<ObjectNode>) n -> n.putObject("rope_scaling").put("rope_type", "yarn").put("factor", 4.0),
                "rope_scaling type 'yarn'"},
            {(Consumer<ObjectNode>) n -> n.putObject("rope_scaling").put("type", "longrope"), "rope_scaling type 'longrope'"},
            {(Consumer<ObjectNode>) n -> n.putObject("rope_scaling").put("type", "linear"), "rope_scaling.factor"},
            {(Consumer<ObjectNode>) n -> n.putObject("rope_scaling").put("rope_type", "linear").put("factor", 0.5),
                "rope_scaling: factor"},
            {(Consumer<ObjectNode>) n -> n.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0)
                .put("high_freq_factor", 4.0).put("original_max_position_embeddings", 8192), "rope_scaling.low_freq_factor"},
            {(Consumer<ObjectNode>) n -> n.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0)
                .put("low_freq_factor", 4.0).put("high_freq_factor", 1.0).put("original_max_position_embeddings", 8192),
                "highFreqFactor"},
            {(Consumer<ObjectNode>) n -> n.putObject("rope_scaling").put("rope_type", "dynamic").put("factor", 2.0)
                .put("original_max_position_embeddings", 64), "original_max_position_embeddings"},
            {(Consumer<ObjectNode>) n -> n.put("rope_scaling", "linear"), "rope_scaling' is not a JSON object"},
            {(Consumer<ObjectNode>) n -> n.put("mlp_bias", true), "mlp_bias"},
            {(Consumer<ObjectNode>) n -> n.put("model_type", "qwen2").put("use_sliding_window", true), "use_sliding_window"},
            {(Consumer<ObjectNode>) n -> n.put("partial_rotary_factor", 0.5), "partial_rotary_factor"},
            {(Consumer<ObjectNode>) n -> n.put("model_type", "gemma"), "model_type 'gemma'"},
            {(Consumer<ObjectNode>) n -> n.put("rope_theta", "big"), "rope_theta"},
            {(Consumer<ObjectNode>) n -> n.put("num_key_value_heads", 3), "numKvHeads"},
        };
        for (Object[] k : cases) {
            Files.writeString(dir.resolve("config.json"), original);
            @SuppressWarnings("unchecked")
            Consumer<ObjectNode> change = (Consumer<ObjectNode>) k[0];
            edit(dir, change);
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> LlamaConfig.read(dir.resolve("config.json")),
                    (String) k[1]);
            assertTrue(e.getMessage().contains((String) k[1]), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertTrue(e.getMessage().contains("config.json"), "names the file: " + e.getMessage());
        }
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"llama\",\n  \"hidden_size\": }\n");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> LlamaConfig.read(dir.resolve("config.json")));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void aSafetensorsHeaderThatIsNotJsonIsOneLine() throws Exception {
        byte[] header = "{\n  \"a\": \n}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + header.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.open(f).close());
        assertTrue(e.getMessage().contains("header is not valid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    static void edit(Path dir, Consumer<ObjectNode> change) throws java.io.IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = (ObjectNode) json.readTree(dir.resolve("config.json").toFile());
        change.accept(n);
        json.writeValue(dir.resolve("config.json").toFile(), n);
    }
}
