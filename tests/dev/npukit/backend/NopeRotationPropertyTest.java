package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.check.KernelCheck;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The property MEPIC rests on: attention with the rotation fused in (NEOX or GPTJ) over a
 * position-free (NoPE) cache equals classic attention (NONE) over the same cache rotated with
 * {@code rope} at each slot's position and with q rotated at each query's position. So chunk KV
 * can be stored once without positions and reused at any offset. In both cache layouts: with HND
 * the classic path rotates each (block, head, slot) row of the cache at its slot's position.
 */
class NopeRotationPropertyTest {

    static List<String> backends() {
        return AvailableBackends.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void fusedRotationEqualsRotateThenAttend(String name) {
        Backend b = Backends.get(name);
        Random r = new Random(99);
        for (int c = 0; c < 16; c++) {
            KvLayout layout = c % 4 < 2 ? KvLayout.NHD : KvLayout.HND;
            RopeStyle style = c % 2 == 0 ? RopeStyle.NEOX : RopeStyle.GPTJ;
            DType cache = c % 3 == 2 ? DType.BF16 : (c % 3 == 1 ? DType.F16 : DType.F32);
            int headDim = r.nextBoolean() ? 64 : 128;
            int rotaryDim = r.nextBoolean() ? headDim : headDim / 2;
            AttentionCase tc = new AttentionCase(r.nextLong(), 1 + r.nextInt(6), 1 + r.nextInt(4), 1 + r.nextInt(4),
                    headDim, r.nextBoolean() ? 16 : 32, 150, cache, style, rotaryDim, layout);
            try (AttentionCase.On fused = tc.on(b); AttentionCase.On classic = tc.on(b)) {
                float[] expected = fused.run();

                int slots = tc.numBlocks * tc.blockSize;
                int[] slotPos = new int[slots];
                for (int s = 0; s < tc.numSeqs; s++) {
                    for (int j = 0; j < tc.seqLens[s]; j++) {
                        int block = tc.blockTables[s * tc.maxBlocksPerSeq + j / tc.blockSize];
                        slotPos[block * tc.blockSize + j % tc.blockSize] = j;
                    }
                }
                int[] qPos = new int[tc.numTokens()];
                for (int s = 0; s < tc.numSeqs; s++) {
                    int qLen = tc.queryStartLoc[s + 1] - tc.queryStartLoc[s];
                    for (int i = 0; i < qLen; i++) {
                        qPos[tc.queryStartLoc[s] + i] = tc.seqLens[s] - qLen + i;
                    }
                }
                // NHD: a cache row is a slot's KV heads; HND: a row is one head of one slot.
                int[] rowPos = slotPos;
                if (layout == KvLayout.HND) {
                    rowPos = new int[slots * tc.numKvHeads];
                    for (int i = 0; i < rowPos.length; i++) {
                        int block = i / (tc.numKvHeads * tc.blockSize);
                        rowPos[i] = slotPos[block * tc.blockSize + i % tc.blockSize];
                    }
                }
                int headsPerRow = layout == KvLayout.HND ? 1 : tc.numKvHeads;
                try (Tensor slotPositions = b.fromInts(rowPos, rowPos.length);
                        Tensor queryPositions = b.fromInts(qPos, qPos.length)) {
                    Tensor kRows = classic.kT.view(0, rowPos.length, headsPerRow, tc.headDim);
                    b.rope(new RopeArgs(kRows, slotPositions, classic.cosSinT, style, rotaryDim));
                    b.rope(new RopeArgs(classic.qT, queryPositions, classic.cosSinT, style, rotaryDim));
                }
                classic.backend.pagedAttention(classic.args().noRope().build());
                float[] actual = classic.outT.toFloatArray();
                double err = KernelCheck.relativeError(actual, expected, DType.F32);
                // Rotating a 16-bit cache rounds the rotated keys once more; the bound covers it.
                assertTrue(err <= KernelCheck.reductionBound(cache), "case " + c + " (" + tc + "): " + err);
            }
        }
    }
}
