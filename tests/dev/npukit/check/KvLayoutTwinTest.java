package dev.npukit.check;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.npukit.backend.AvailableBackends;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layouts are one contract: an attention case over an HND cache holding the same values at
 * the same (block, slot, head) as its NHD twin computes the same output, bit for bit, on every
 * backend (the kernels read the same rows in the same order of arithmetic; only the addresses
 * differ). The registry compares each layout with the reference; this ties the layouts to each
 * other, so a reference that misread one layout would be caught too.
 */
class KvLayoutTwinTest {

    static List<String> backends() {
        return AvailableBackends.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void anHndCaseComputesWhatItsNhdTwinComputes(String name) {
        Backend b = Backends.get(name);
        Random r = new Random(31);
        DType[] floats = {DType.F32, DType.F16, DType.BF16};
        int[] headDims = {2, 36, 64, 128};
        int[] blockSizes = {1, 3, 16, 128};
        for (int c = 0; c < 12; c++) {
            int seqs = 1 + r.nextInt(4);
            int[] lens = new int[seqs];
            int[] qLens = new int[seqs];
            for (int s = 0; s < seqs; s++) {
                lens[s] = 1 + r.nextInt(c < 10 ? 200 : 2500);
                qLens[s] = r.nextBoolean() ? 1 : 1 + r.nextInt(Math.min(lens[s], 12));
            }
            int headDim = headDims[c % headDims.length];
            long seed = r.nextLong();
            int kvHeads = 1 + r.nextInt(4);
            int group = 1 + r.nextInt(4);
            int blockSize = blockSizes[r.nextInt(blockSizes.length)];
            RopeStyle style = RopeStyle.values()[c % 3];
            DType cache = floats[c % 3];
            assertTwinsAgree(b, name, c, seed, kvHeads, group, headDim, blockSize, style, cache, lens, qLens);
        }
    }

    /** Prompts of 33 to 130 rows: the cpu kernel's prefill tiles, several key panels each. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void anHndPromptComputesWhatItsNhdTwinComputes(String name) {
        Backend b = Backends.get(name);
        Random r = new Random(32);
        DType[] floats = {DType.F32, DType.F16, DType.BF16};
        int[] headDims = {36, 64, 80, 128};
        int[] blockSizes = {1, 7, 16, 32};
        for (int c = 0; c < 4; c++) {
            int qLen = 33 + r.nextInt(98);
            int[] lens = {qLen + r.nextInt(200)};
            int[] qLens = {qLen};
            int headDim = headDims[c];
            long seed = r.nextLong();
            int kvHeads = 1 + r.nextInt(2);
            int group = 1 << r.nextInt(4);
            int blockSize = blockSizes[r.nextInt(blockSizes.length)];
            RopeStyle style = RopeStyle.values()[c % 3];
            DType cache = floats[c % 3];
            assertTwinsAgree(b, name, c, seed, kvHeads, group, headDim, blockSize, style, cache, lens, qLens);
        }
    }

    /** The case in the NHD layout and its HND twin give bit-identical outputs on {@code b}. */
    private static void assertTwinsAgree(Backend b, String name, int c, long seed, int kvHeads, int group, int headDim,
            int blockSize, RopeStyle style, DType cache, int[] lens, int[] qLens) {
        AttentionCase nhd = new AttentionCase(c, seed, kvHeads, group, headDim, blockSize, style, headDim, cache,
                DType.F32, DType.F32, lens, qLens, KvLayout.NHD);
        AttentionCase hnd = new AttentionCase(c, seed, kvHeads, group, headDim, blockSize, style, headDim, cache,
                DType.F32, DType.F32, lens, qLens, KvLayout.HND);
        assertArrayEquals(nhd.run(b).get("out"), hnd.run(b).get("out"), name + ": " + hnd.name());
    }
}
