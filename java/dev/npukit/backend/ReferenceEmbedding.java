package dev.npukit.backend;

import dev.npukit.kernels.EmbeddingArgs;

/** The reference embedding lookup: each selected row read alone (a table can be large), widened to F32. */
final class ReferenceEmbedding {
    private ReferenceEmbedding() {
    }

    static void run(EmbeddingArgs args, EmbeddingArgs.Shape s) {
        int[] ids = args.ids().toIntArray();
        int hidden = s.hidden();
        float[] out = new float[Math.multiplyExact(s.rows(), hidden)];
        for (int r = 0; r < s.rows(); r++) {
            float[] row = args.table().readFloats((long) ids[r] * hidden, hidden);
            System.arraycopy(row, 0, out, r * hidden, hidden);
        }
        args.out().copyFrom(out);
    }
}
