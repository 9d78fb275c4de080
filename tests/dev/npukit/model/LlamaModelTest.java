package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.AvailableBackends;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.check.KernelCheck;
import dev.npukit.kernels.KvLayout;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model on the kernels, on every available backend: each agrees with the reference; prefill
 * in one span, in pieces and token by token give the same logits; LoRA through BGMV equals the
 * merged dense weights; several adapters (and the base, -1) in one batch equal each alone.
 */
class LlamaModelTest {
    static final double BOUND = 1e-4;

    static List<String> backends() {
        return AvailableBackends.underTest();
    }

    static List<String> allBackends() {
        return AvailableBackends.all();
    }

    static int[] tokens(Random r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1 + r.nextInt(vocab - 1);
        }
        return t;
    }

    static int[] table(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = n - 1 - i; // reversed: pages need not be contiguous
        }
        return t;
    }

    static float[] logits(LlamaModel m, PagedKvCache cache, List<LlamaModel.Span> spans) {
        try (Tensor t = m.forward(cache, spans)) {
            return t.toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void matchesReference(String backend) {
        LlamaWeights w = LlamaWeights.random(LlamaConfig.tiny(2), 7, DType.F32);
        LoraAdapter a = LoraAdapter.random(w.config(), 4, 8f, 2, 0.2f, "self_attn.q_proj", "mlp.up_proj");
        int[] prompt = tokens(new Random(1), 21, w.config().vocabSize());
        float[] expected = null;
        for (String name : new String[] {"reference", backend}) {
            Backend be = Backends.get(name);
            try (LlamaModel m = new LlamaModel(be, w, List.of(a)); PagedKvCache c = m.newCache(8, 4, DType.F32)) {
                float[] got = logits(m, c, List.of(new LlamaModel.Span(table(6), 0, prompt, 0, true, true),
                        new LlamaModel.Span(new int[] {7, 6}, 0, new int[] {3, 4, 5}, -1, true, true)));
                if (expected == null) {
                    expected = got;
                } else {
                    double err = KernelCheck.relativeError(got, expected, DType.F32);
                    assertTrue(err < BOUND, backend + " vs reference: " + err);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allBackends")
    void prefillInPiecesEqualsOneShotAndDecode(String backend) {
        LlamaWeights w = LlamaWeights.random(LlamaConfig.tiny(3), 11, DType.BF16);
        int[] prompt = tokens(new Random(2), 19, w.config().vocabSize());
        try (LlamaModel m = new LlamaModel(Backends.get(backend), w, List.of());
                PagedKvCache c = m.newCache(16, 4, DType.F32)) {
            float[] whole = logits(m, c, List.of(new LlamaModel.Span(table(5), 0, prompt, -1, true, true)));
            // Pieces in one batch: each later span reads the earlier ones' K/V written in the same layer.
            int[] t2 = {10, 11, 12, 13, 14};
            float[] pieces = logits(m, c, List.of(
                    new LlamaModel.Span(t2, 0, java.util.Arrays.copyOfRange(prompt, 0, 7), -1, true, false),
                    new LlamaModel.Span(t2, 7, java.util.Arrays.copyOfRange(prompt, 7, 19), -1, true, true)));
            double err = KernelCheck.relativeError(pieces, whole, DType.F32);
            assertTrue(err < BOUND, "pieces vs whole " + err);
            int[] t3 = {5, 6, 7, 8, 9};
            float[] last = null;
            for (int i = 0; i < prompt.length; i++) {
                last = logits(m, c, List.of(new LlamaModel.Span(t3, i, new int[] {prompt[i]}, -1, true, true)));
            }
            err = KernelCheck.relativeError(last, whole, DType.F32);
            assertTrue(err < BOUND, "token by token vs whole " + err);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("allBackends")
    void loraThroughBgmvEqualsMergedWeightsAndBatchesPerRow(String backend) {
        LlamaConfig cfg = LlamaConfig.tiny(2);
        LlamaWeights base = LlamaWeights.random(cfg, 5, DType.F32);
        LoraAdapter a0 = LoraAdapter.random(cfg, 4, 8f, 21, 0.3f, "self_attn.q_proj", "self_attn.k_proj",
                "self_attn.v_proj", "self_attn.o_proj");
        LoraAdapter a1 = LoraAdapter.random(cfg, 2, 4f, 22, 0.3f, "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj",
                "self_attn.v_proj");
        List<LoraAdapter> adapters = List.of(a0, a1);
        int[] prompt = tokens(new Random(3), 13, cfg.vocabSize());
        Backend be = Backends.get(backend);
        List<float[]> alone = new ArrayList<>();
        for (int i = -1; i < 2; i++) {
            LlamaWeights w = i < 0 ? base : base.merged(adapters.get(i));
            try (LlamaModel m = new LlamaModel(be, w, List.of()); PagedKvCache c = m.newCache(4, 4, DType.F32)) {
                alone.add(logits(m, c, List.of(new LlamaModel.Span(table(4), 0, prompt, -1, true, true))));
            }
        }
        assertTrue(KernelCheck.relativeError(alone.get(1), alone.get(0), DType.F32) > 1e-2,
                "the adapter changes the model");
        try (LlamaModel m = new LlamaModel(be, base, adapters); PagedKvCache c = m.newCache(12, 4, DType.F32)) {
            float[] batch = logits(m, c, List.of(new LlamaModel.Span(new int[] {0, 1, 2, 3}, 0, prompt, 1, true, true),
                    new LlamaModel.Span(new int[] {4, 5, 6, 7}, 0, prompt, -1, true, true),
                    new LlamaModel.Span(new int[] {8, 9, 10, 11}, 0, prompt, 0, true, true)));
            int v = cfg.vocabSize();
            int[] order = {2, 0, 1};
            for (int row = 0; row < 3; row++) {
                float[] got = java.util.Arrays.copyOfRange(batch, row * v, (row + 1) * v);
                double err = KernelCheck.relativeError(got, alone.get(order[row]), DType.F32);
                assertTrue(err < BOUND, "row " + row + " vs merged weights: " + err);
            }
        }
    }

    @Test
    void badSpansNameTheArgument() {
        LlamaWeights w = LlamaWeights.random(LlamaConfig.tiny(1), 1, DType.F32);
        try (LlamaModel m = new LlamaModel(Backends.get("reference"), w, List.of());
                PagedKvCache c = m.newCache(4, 4, DType.F32)) {
            for (LlamaModel.Span bad : new LlamaModel.Span[] {
                    new LlamaModel.Span(new int[] {0}, 0, new int[] {1, 2, 3, 4, 5}, -1, true, true),
                    new LlamaModel.Span(new int[] {0}, 0, new int[] {1000}, -1, true, true),
                    new LlamaModel.Span(new int[] {9}, 0, new int[] {1}, -1, true, true),
                    new LlamaModel.Span(new int[] {0}, 0, new int[] {1}, 0, true, true),
                    new LlamaModel.Span(new int[] {0}, -1, new int[] {1}, -1, true, true)}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> m.forward(c, List.of(bad)).close());
                assertTrue(e.getMessage().startsWith("spans:"), e.getMessage());
            }
            assertEquals(0f, c.readBlock(0, 0)[0][0], "nothing was written by a refused call");
        }
    }

    @ParameterizedTest
    @MethodSource("allBackends")
    void blocksWrittenAsBytesEqualBlocksWrittenAsFloats(String backend) {
        LlamaWeights w = LlamaWeights.random(LlamaConfig.tiny(1), 1, DType.F32);
        for (KvLayout layout : KvLayout.values()) {
            for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
                try (LlamaModel m = new LlamaModel(Backends.get(backend), w, List.of());
                        PagedKvCache floats = m.newCache(4, 4, dtype, layout);
                        PagedKvCache bytes = m.newCache(4, 4, dtype, layout)) {
                    int n = floats.blockFloats();
                    Random r = new Random(7);
                    float[][] kv = new float[2][n];
                    for (float[] half : kv) {
                        for (int i = 0; i < n; i++) {
                            half[i] = (float) r.nextGaussian();
                        }
                    }
                    floats.writeBlock(0, 2, kv);
                    // The raw elements of the written block, read back as they are stored: keys then values.
                    java.nio.ByteBuffer raw = ByteBuffer.allocate(2 * n * dtype.byteSize())
                            .order(ByteOrder.LITTLE_ENDIAN);
                    for (float[] half : floats.readBlock(0, 2)) {
                        for (float f : half) {
                            switch (dtype) {
                                case F32 -> raw.putFloat(f);
                                case F16 -> raw.putShort(HalfFloats.floatToF16(f));
                                default -> raw.putShort(HalfFloats.floatToBf16(f));
                            }
                        }
                    }
                    raw.flip();
                    bytes.writeBlock(0, 2, raw.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
                    assertEquals(0, raw.position(), "the caller's position is not moved");
                    for (int half = 0; half < 2; half++) {
                        assertTrue(Arrays.equals(floats.readBlock(0, 2)[half], bytes.readBlock(0, 2)[half]),
                                backend + " " + layout + " " + dtype + " half " + half);
                    }
                    assertEquals(0f, bytes.readBlock(0, 1)[0][0], "only block 2 is written");
                    assertThrows(IllegalArgumentException.class, () -> bytes.writeBlock(0, 2,
                            ByteBuffer.allocate(raw.capacity() - 1)));
                }
            }
        }
    }
}
