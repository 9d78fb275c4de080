package dev.npukit.backend;

import dev.npukit.kernels.WriteKvArgs;
import java.util.Arrays;

/** The reference paged KV cache write: one row copy per token, later tokens win. */
final class ReferenceCacheWrite {
    private ReferenceCacheWrite() {
    }

    /**
     * Reads each written token's rows on their own, at 64-bit offsets, so a call that writes
     * nothing (no tokens, or every slot -1) allocates nothing however large a row is. Each KV head
     * goes to its place in the layout.
     */
    static void run(WriteKvArgs a, WriteKvArgs.Shape s) {
        int d = s.headDim();
        long row = (long) s.numKvHeads() * d;
        int[] slots = a.slotMapping().toIntArray();
        for (int t = 0; t < s.numTokens(); t++) {
            if (slots[t] < 0) {
                continue;
            }
            int count = Math.toIntExact(row);
            float[] key = a.key().readFloats(t * row, count);
            float[] value = a.value().readFloats(t * row, count);
            int block = slots[t] / s.blockSize();
            int inBlock = slots[t] % s.blockSize();
            for (int h = 0; h < s.numKvHeads(); h++) {
                long at = a.layout().offset(block, inBlock, h, s.blockSize(), s.numKvHeads(), d);
                a.kCache().writeFloats(at, Arrays.copyOfRange(key, h * d, (h + 1) * d));
                a.vCache().writeFloats(at, Arrays.copyOfRange(value, h * d, (h + 1) * d));
            }
        }
    }
}
