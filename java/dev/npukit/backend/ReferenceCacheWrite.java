package dev.npukit.backend;

import dev.npukit.kernels.WriteKvArgs;

/** The reference paged KV cache write: one row copy per token, later tokens win. */
final class ReferenceCacheWrite {
    private ReferenceCacheWrite() {
    }

    /**
     * Reads each written token's rows on their own, at 64-bit offsets, so a call that writes
     * nothing (no tokens, or every slot -1) allocates nothing however large a row is.
     */
    static void run(WriteKvArgs a, WriteKvArgs.Shape s) {
        long row = (long) s.numKvHeads() * s.headDim();
        int[] slots = a.slotMapping().toIntArray();
        for (int t = 0; t < s.numTokens(); t++) {
            if (slots[t] < 0) {
                continue;
            }
            int count = Math.toIntExact(row);
            a.kCache().writeFloats(slots[t] * row, a.key().readFloats(t * row, count));
            a.vCache().writeFloats(slots[t] * row, a.value().readFloats(t * row, count));
        }
    }
}
