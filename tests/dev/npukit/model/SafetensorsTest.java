package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.NpukitException;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny model and adapter written with Java code in the Hugging Face / PEFT layouts load back
 * unchanged (F32, F16, BF16), and malformed or truncated files fail with an error naming the
 * file and what is wrong.
 */
class SafetensorsTest {
    @TempDir
    Path dir;

    @Test
    void modelRoundTripsInEveryDtype() throws IOException {
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            LlamaConfig c = LlamaConfig.tiny(2);
            LlamaWeights w = LlamaWeights.random(c, 3, dt);
            Path d = dir.resolve(dt.name());
            w.save(d);
            LlamaWeights back = LlamaWeights.load(d);
            assertEquals(c, back.config());
            assertEquals(dt, back.dtype());
            for (String name : LlamaWeights.expectedShapes(c).keySet()) {
                assertArrayEquals(w.get(name), back.get(name), name + " in " + dt);
            }
            try (Safetensors st = Safetensors.open(d.resolve("model.safetensors"))) {
                assertEquals("pt", st.metadata().get("format"));
                assertEquals(dt.name(), st.entry("model.layers.1.mlp.down_proj.weight").dtype());
                assertArrayEquals(new long[] {c.hiddenSize(), c.intermediateSize()},
                        st.entry("model.layers.1.mlp.down_proj.weight").shape());
            }
        }
    }

    @Test
    void adapterRoundTripsInPeftLayout() throws IOException {
        LlamaConfig c = LlamaConfig.tiny(2);
        LoraAdapter a = LoraAdapter.random(c, 4, 8f, 9, 0.1f, "self_attn.q_proj", "self_attn.v_proj", "mlp.down_proj");
        a.save(dir.resolve("lora"), c);
        LoraAdapter back = LoraAdapter.load(dir.resolve("lora"), c);
        assertEquals(4, back.rank());
        assertEquals(2f, back.scale());
        for (int l = 0; l < 2; l++) {
            for (String p : new String[] {"self_attn.q_proj", "self_attn.v_proj", "mlp.down_proj"}) {
                assertArrayEquals(a.pair(l, p).a(), back.pair(l, p).a());
                assertArrayEquals(a.pair(l, p).b(), back.pair(l, p).b());
            }
            assertEquals(null, back.pair(l, "self_attn.k_proj"));
        }
        try (Safetensors st = Safetensors.open(dir.resolve("lora/adapter_model.safetensors"))) {
            assertTrue(st.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
            assertArrayEquals(new long[] {c.qSize(), 4},
                    st.entry("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight").shape());
        }
    }

    @Test
    void halfPrecisionValuesAreStoredExactly() throws IOException {
        float[] v = {1.5f, -2.25f, 65504f, 1e-7f};
        Path f = dir.resolve("h.safetensors");
        Safetensors.write(f, Map.of("x", new Safetensors.TensorData(DType.F16, new long[] {2, 2}, v)), null);
        try (Safetensors st = Safetensors.open(f)) {
            float[] back = st.floats("x", 2, 2);
            for (int i = 0; i < v.length; i++) {
                assertEquals(HalfFloats.roundTo(DType.F16, v[i]), back[i]);
            }
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> st.floats("x", 4));
            assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("shape"), e.getMessage());
        }
    }

    private void expectBroken(Path f, String what) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.open(f).close());
        assertTrue(e.getMessage().startsWith(f.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains(what), "says '" + what + "': " + e.getMessage());
        assertThrows(NpukitException.class, () -> Safetensors.open(f).close(), "a runtime failure under the one root");
    }

    private Path file(String name, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    @Test
    void malformedAndTruncatedFilesSayWhatIsWrong() throws IOException {
        LlamaWeights.random(LlamaConfig.tiny(1), 1, DType.F32).save(dir.resolve("m"));
        Path good = dir.resolve("m/model.safetensors");
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10));
        expectBroken(cut, "truncated");
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        expectBroken(tiny, "truncated");
        Path headerCut = dir.resolve("hc.safetensors");
        Files.write(headerCut, Arrays.copyOf(bytes, 40));
        expectBroken(headerCut, "truncated");
        expectBroken(file("json.safetensors", "{not json", 0), "not valid JSON");
        expectBroken(file("len.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 12),
                "needs 12");
        expectBroken(file("dt.safetensors", "{\"a\":{\"dtype\":\"Q4\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3),
                "unknown dtype");
        expectBroken(file("off.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8),
                "not a range");
        Path hugeLen = dir.resolve("huge.safetensors");
        Files.write(hugeLen, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array());
        expectBroken(hugeLen, "header length");
        // A readable file whose tensor has a dtype the model cannot use.
        Path i64 = file("i64.safetensors", "{\"a\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        try (Safetensors st = Safetensors.open(i64)) {
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> st.floats("a"));
            assertTrue(e.getMessage().contains("I64") && e.getMessage().contains("not supported"), e.getMessage());
        }
        // A model directory with a tensor missing names it.
        LlamaConfig c = LlamaConfig.tiny(1);
        Path md = dir.resolve("missing");
        c.write(md.resolve("config.json"));
        Safetensors.write(md.resolve("model.safetensors"), Map.of("model.norm.weight",
                new Safetensors.TensorData(DType.F32, new long[] {c.hiddenSize()}, new float[c.hiddenSize()])), null);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> LlamaWeights.load(md));
        assertTrue(e.getMessage().contains("missing tensors") && e.getMessage().contains("embed_tokens"), e.getMessage());
    }

    @Test
    void failedWriteLeavesNoFile() {
        Path f = dir.resolve("bad.safetensors");
        assertThrows(IllegalArgumentException.class, () -> Safetensors.write(f,
                Map.of("x", new Safetensors.TensorData(DType.F32, new long[] {3}, new float[2])), null));
        assertTrue(!Files.exists(f));
    }
}
