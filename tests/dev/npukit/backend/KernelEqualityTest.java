package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/kernels.md, equality between backends: every available backend against the reference on randomized cases. Attention
 * (a reduction) within the documented bound; writeKv and RoPE (element-wise) bit-exact.
 */
class KernelEqualityTest {
    private static final int[] BLOCK_SIZES = {16, 32, 128};
    private static final int[] HEAD_DIMS = {64, 128};
    private static final DType[] FLOAT_TYPES = {DType.F32, DType.F16, DType.BF16};

    static List<String> backends() {
        return AvailableBackends.underTest();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void pagedAttentionMatchesReference(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(20261127L);
        int cases = 36;
        for (int c = 0; c < cases; c++) {
            int blockSize = BLOCK_SIZES[r.nextInt(BLOCK_SIZES.length)];
            int headDim = HEAD_DIMS[r.nextInt(HEAD_DIMS.length)];
            int kvHeads = 1 + r.nextInt(8);
            int group = 1 + r.nextInt(8);
            int seqs = 1 + r.nextInt(16);
            DType cache = FLOAT_TYPES[c % 3];
            RopeStyle style = RopeStyle.values()[(c / 3) % 3];
            int rotaryDim = r.nextBoolean() ? headDim : 2 * (1 + r.nextInt(headDim / 2));
            int maxLen = blockSize == 128 ? 300 : 200;
            AttentionCase tc = new AttentionCase(r.nextLong(), seqs, kvHeads, group, headDim, blockSize, maxLen,
                    cache, style, rotaryDim);
            assertMatchesReference(backend, reference, tc, c);
        }
    }

    /**
     * Sequences longer than the cpu kernel's decode split (1,024 slots), so decode rows are
     * computed in several splits and merged; odd block sizes put split edges inside the slot
     * count a block size would suggest.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void pagedAttentionOverLongSequences(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(4099);
        int[] blockSizes = {16, 32, 128, 3};
        int[] headDims = {64, 128, 36};
        for (int c = 0; c < 9; c++) {
            int headDim = headDims[c % headDims.length];
            DType cache = FLOAT_TYPES[r.nextInt(3)];
            RopeStyle style = RopeStyle.values()[c % 3];
            int rotaryDim = r.nextBoolean() ? headDim : 2 * (1 + r.nextInt(headDim / 2));
            AttentionCase tc = new AttentionCase(r.nextLong(), 1 + r.nextInt(4), 1 + r.nextInt(4), 1 + r.nextInt(5),
                    headDim, blockSizes[r.nextInt(blockSizes.length)], 4000, cache, style, rotaryDim);
            assertMatchesReference(backend, reference, tc, c);
        }
    }

    /** Runs case number {@code c} on both backends: the outputs agree within the cache dtype's bound. */
    private static void assertMatchesReference(Backend backend, Backend reference, AttentionCase tc, int c) {
        float[] expected;
        float[] actual;
        try (AttentionCase.On ref = tc.on(reference); AttentionCase.On under = tc.on(backend)) {
            expected = ref.run();
            actual = under.run();
        }
        double bound = Equality.bound(tc.cacheDtype);
        double err = Equality.relativeError(actual, expected);
        assertTrue(err <= bound, "case " + c + " (" + tc + "): relative error " + err + " exceeds " + bound);
    }

    /** Head dims off the vector width (the kernels' fallback paths) and tiny blocks. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void pagedAttentionWithAwkwardShapes(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(31);
        int[] headDims = {2, 10, 20, 36, 72};
        int[] blockSizes = {1, 3, 8};
        for (int c = 0; c < 15; c++) {
            int headDim = headDims[c % headDims.length];
            DType cache = FLOAT_TYPES[r.nextInt(3)];
            RopeStyle style = RopeStyle.values()[r.nextInt(3)];
            int rotaryDim = 2 * (1 + r.nextInt(headDim / 2));
            AttentionCase tc = new AttentionCase(r.nextLong(), 1 + r.nextInt(5), 1 + r.nextInt(3), 1 + r.nextInt(5),
                    headDim, blockSizes[r.nextInt(3)], 60, cache, style, rotaryDim);
            assertMatchesReference(backend, reference, tc, c);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void writeKvIsBitExact(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(7);
        for (int c = 0; c < 18; c++) {
            DType keyType = FLOAT_TYPES[r.nextInt(3)];
            DType cacheType = FLOAT_TYPES[c % 3];
            int kvHeads = 1 + r.nextInt(8);
            int headDim = HEAD_DIMS[r.nextInt(2)];
            int blockSize = BLOCK_SIZES[r.nextInt(3)];
            int numBlocks = 1 + r.nextInt(6);
            int tokens = 1 + r.nextInt(40);
            int slots = numBlocks * blockSize;
            int[] mapping = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                // -1 skips, and repeated slots (the later token wins) are both exercised.
                mapping[t] = r.nextInt(8) == 0 ? -1 : r.nextInt(Math.min(slots, 24));
            }
            float[] key = wideRandom(r, tokens * kvHeads * headDim);
            float[] value = wideRandom(r, tokens * kvHeads * headDim);
            short[] refK = null;
            float[] refKf = null;
            short[] refV = null;
            float[] refVf = null;
            for (Backend b : new Backend[] {reference, backend}) {
                try (Tensor k = b.fromFloats(keyType, key, tokens, kvHeads, headDim);
                        Tensor v = b.fromFloats(keyType, value, tokens, kvHeads, headDim);
                        Tensor kc = b.allocate(cacheType, numBlocks, blockSize, kvHeads, headDim);
                        Tensor vc = b.allocate(cacheType, numBlocks, blockSize, kvHeads, headDim);
                        Tensor map = b.fromInts(mapping, tokens)) {
                    b.writeKv(new WriteKvArgs(k, v, kc, vc, map));
                    if (b == reference) {
                        refK = cacheType == DType.F32 ? null : kc.toBits();
                        refKf = kc.toFloatArray();
                        refV = cacheType == DType.F32 ? null : vc.toBits();
                        refVf = vc.toFloatArray();
                    } else if (cacheType == DType.F32) {
                        assertArrayEquals(refKf, kc.toFloatArray(), "case " + c + " key cache");
                        assertArrayEquals(refVf, vc.toFloatArray(), "case " + c + " value cache");
                    } else {
                        assertArrayEquals(refK, kc.toBits(), "case " + c + " key cache bits");
                        assertArrayEquals(refV, vc.toBits(), "case " + c + " value cache bits");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void ropeIsBitExact(String name) {
        Backend backend = Backends.get(name);
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Random r = new Random(11);
        for (int c = 0; c < 18; c++) {
            DType type = FLOAT_TYPES[c % 3];
            RopeStyle style = c % 2 == 0 ? RopeStyle.NEOX : RopeStyle.GPTJ;
            int headDim = HEAD_DIMS[r.nextInt(2)];
            int rotaryDim = r.nextBoolean() ? headDim : 2 * (1 + r.nextInt(headDim / 2));
            int heads = 1 + r.nextInt(8);
            int tokens = 1 + r.nextInt(30);
            int maxPos = 1 + r.nextInt(5000);
            float[] x = wideRandom(r, tokens * heads * headDim);
            int[] pos = new int[tokens];
            for (int t = 0; t < tokens; t++) {
                pos[t] = r.nextInt(maxPos);
            }
            float[] table = RopeTables.cosSin(maxPos, rotaryDim, 10000.0);
            float[] expected = null;
            for (Backend b : new Backend[] {reference, backend}) {
                try (Tensor xt = b.fromFloats(type, x, tokens, heads, headDim);
                        Tensor p = b.fromInts(pos, tokens);
                        Tensor cs = b.fromFloats(DType.F32, table, maxPos, rotaryDim)) {
                    b.rope(new RopeArgs(xt, p, cs, style, rotaryDim));
                    float[] got = xt.toFloatArray();
                    if (expected == null) {
                        expected = got;
                    } else {
                        assertBitsEqual(expected, got, "case " + c + " " + type + " " + style + " rot " + rotaryDim);
                    }
                }
            }
        }
    }

    /** Values over many magnitudes, including subnormal-range and overflow-range ones for F16. */
    static float[] wideRandom(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(13) - 8));
        }
        return a;
    }

    static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", reference " + expected[i]);
            }
        }
    }
}
