package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Zero sizes on every backend: a size the native checks refuse (native/common/contract_checks.h)
 * is refused in Java first, with an IllegalArgumentException naming the argument, and an empty
 * call the native checks accept is accepted everywhere and writes nothing, however large its
 * other dimensions are.
 */
class ZeroSizeArgumentTest {
    private static final int MAX = Integer.MAX_VALUE;

    static List<String> backends() {
        return AvailableBackends.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void ropeWithZeroHeadsOrHeadDimIsRefusedInJava(String name) {
        Backend b = Backends.get(name);
        try (Tensor noHeads = b.allocate(DType.F32, 2, 0, 8);
                Tensor noDim = b.allocate(DType.F32, 2, 4, 0);
                Tensor positions = b.fromInts(new int[] {0, 1}, 2);
                Tensor cosSin = b.fromFloats(DType.F32, RopeTables.cosSin(4, 8, 10000), 4, 8)) {
            assertRefused("x:", () -> b.rope(new RopeArgs(noHeads, positions, cosSin, RopeStyle.NEOX, 8)));
            assertRefused("x:", () -> b.rope(new RopeArgs(noDim, positions, cosSin, RopeStyle.NEOX)));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void writeKvWithZeroHeadDimHeadsOrBlockSizeIsRefusedInJava(String name) {
        Backend b = Backends.get(name);
        try (Tensor key = b.allocate(DType.F32, 1, 2, 0);
                Tensor cache = b.allocate(DType.F32, 2, 4, 2, 0);
                Tensor noHeadsKey = b.allocate(DType.F32, 1, 0, 8);
                Tensor noHeadsCache = b.allocate(DType.F32, 2, 4, 0, 8);
                Tensor okKey = b.allocate(DType.F32, 1, 2, 8);
                Tensor noBlockCache = b.allocate(DType.F32, 2, 0, 2, 8);
                Tensor slots = b.fromInts(new int[] {-1}, 1)) {
            assertRefused("key:", () -> b.writeKv(new WriteKvArgs(key, key, cache, cache, slots)));
            assertRefused("key:", () -> b.writeKv(
                    new WriteKvArgs(noHeadsKey, noHeadsKey, noHeadsCache, noHeadsCache, slots)));
            assertRefused("kCache:", () -> b.writeKv(
                    new WriteKvArgs(okKey, okKey, noBlockCache, noBlockCache, slots)));
        }
    }

    /** The example: caches [0, 4, 2^31 - 1, 8], no tokens; the row size overflows 32 bits. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void emptyWriteKvWithHugeRowsIsAccepted(String name) {
        Backend b = Backends.get(name);
        for (int headDim : new int[] {1, 8}) {
            try (Tensor key = b.allocate(DType.F32, 0, MAX, headDim);
                    Tensor cache = b.allocate(DType.F32, 0, 4, MAX, headDim);
                    Tensor slots = b.allocate(DType.I32, 0)) {
                b.writeKv(new WriteKvArgs(key, key, cache, cache, slots));
                assertEquals(0, cache.numel());
            }
        }
    }

    /** No tokens but real cache blocks: accepted everywhere, the cache is left as it was. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void writeKvWithoutTokensLeavesTheCache(String name) {
        Backend b = Backends.get(name);
        float[] before = new float[2 * 4 * 2 * 8];
        for (int i = 0; i < before.length; i++) {
            before[i] = i * 0.5f;
        }
        try (Tensor key = b.allocate(DType.F32, 0, 2, 8);
                Tensor cache = b.fromFloats(DType.F32, before, 2, 4, 2, 8);
                Tensor slots = b.allocate(DType.I32, 0)) {
            b.writeKv(new WriteKvArgs(key, key, cache, cache, slots));
            assertArrayEquals(before, cache.toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void ropeWithoutTokensIsAccepted(String name) {
        Backend b = Backends.get(name);
        try (Tensor x = b.allocate(DType.F32, 0, MAX, 8);
                Tensor positions = b.allocate(DType.I32, 0);
                Tensor cosSin = b.fromFloats(DType.F32, RopeTables.cosSin(4, 8, 10000), 4, 8)) {
            b.rope(new RopeArgs(x, positions, cosSin, RopeStyle.GPTJ));
            assertEquals(0, x.numel());
        }
    }

    /** Rank 0: the product is empty and adds nothing; y keeps its values on every backend. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void bgmvExpandWithRankZeroLeavesY(String name) {
        Backend b = Backends.get(name);
        float[] before = new float[3 * 12];
        for (int i = 0; i < before.length; i++) {
            before[i] = 0.25f * i - 2;
        }
        try (Tensor v = b.allocate(DType.F32, 3, 0);
                Tensor w = b.allocate(DType.F16, 2, 8, 0);
                Tensor indices = b.fromInts(new int[] {0, 1, -1}, 3);
                Tensor y = b.fromFloats(DType.F32, before, 3, 12)) {
            b.bgmvExpand(new BgmvExpandArgs(v, w, indices, y, 2));
            assertArrayEquals(before, y.toFloatArray());
        }
    }

    /** A row stride beyond 32 bits is never applied to a single row, so every backend accepts it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void contrastiveOfOneRowIgnoresItsStride(String name) {
        Backend b = Backends.get(name);
        try (Tensor logits = b.fromFloats(DType.F32, new float[] {0, 3, 1, 2, 0, 1}, 2, 3);
                Tensor token = b.allocate(DType.I32, 1);
                Tensor score = b.allocate(DType.F32, 1);
                Tensor count = b.allocate(DType.I32, 1)) {
            b.contrastive(ContrastiveArgs.builder().expert(new LogitRows(logits, 0, Long.MAX_VALUE))
                    .base(new LogitRows(logits, 1, 1L << 40)).alpha(1e-3f).beta(0.5f)
                    .outputs(token, score, count).build());
            assertEquals(1, token.toIntArray()[0]);
            assertEquals(1.5f * 3 - 0.5f * 0, score.toFloatArray()[0]);
            assertEquals(3, count.toIntArray()[0]);
        }
    }

    /** The example: an empty shape whose other dimensions multiply beyond 64 bits. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void emptyShapeWithHugeDimensionsAllocates(String name) {
        Backend b = Backends.get(name);
        try (Tensor t = b.allocate(DType.F32, MAX, MAX, 3, 0)) {
            assertEquals(0, t.numel());
            assertEquals(0, t.byteSize());
            assertArrayEquals(new long[] {MAX, MAX, 3, 0}, t.shape());
        }
        try (Tensor t = b.allocate(DType.F32, 0, Long.MAX_VALUE, Long.MAX_VALUE)) {
            assertEquals(0, t.numel());
        }
        assertThrows(ArithmeticException.class, () -> b.allocate(DType.F32, Long.MAX_VALUE, 2, 1));
    }

    private static void assertRefused(String prefix, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(prefix), "message should name the argument: " + e.getMessage());
    }
}
