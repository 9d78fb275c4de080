package dev.npukit.backend;

import dev.npukit.kernels.WriteKvArgs;

/** The reference paged KV cache write: one row copy per token, later tokens win. */
final class ReferenceCacheWrite {
    private ReferenceCacheWrite() {
    }

    static void run(WriteKvArgs a, WriteKvArgs.Shape s) {
        int row = s.numKvHeads() * s.headDim();
        float[] key = a.key().toFloatArray();
        float[] value = a.value().toFloatArray();
        int[] slots = a.slotMapping().toIntArray();
        float[] kRow = new float[row];
        float[] vRow = new float[row];
        for (int t = 0; t < s.numTokens(); t++) {
            if (slots[t] < 0) {
                continue;
            }
            System.arraycopy(key, t * row, kRow, 0, row);
            System.arraycopy(value, t * row, vRow, 0, row);
            a.kCache().writeFloats((long) slots[t] * row, kRow);
            a.vCache().writeFloats((long) slots[t] * row, vRow);
        }
    }
}
