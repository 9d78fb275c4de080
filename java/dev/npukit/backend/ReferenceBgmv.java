package dev.npukit.backend;

import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;

/**
 * The reference BGMV: straightforward loops with dot products summed in double, the oracle the
 * native F32 accumulation is held to within the docs/kernels.md, equality between backends bound.
 */
final class ReferenceBgmv {
    private ReferenceBgmv() {
    }

    static void shrink(BgmvShrinkArgs args, BgmvShrinkArgs.Shape s) {
        float[] x = args.x().toFloatArray();
        float[] a = args.a().toFloatArray();
        int[] idx = args.indices().toIntArray();
        float[] y = new float[Math.multiplyExact(s.batch(), s.rank())];
        for (int b = 0; b < s.batch(); b++) {
            if (idx[b] < 0) {
                continue;
            }
            for (int r = 0; r < s.rank(); r++) {
                long w0 = ((long) idx[b] * s.rank() + r) * s.hIn();
                double sum = 0;
                for (int i = 0; i < s.hIn(); i++) {
                    sum += (double) a[(int) (w0 + i)] * x[b * s.hIn() + i];
                }
                y[b * s.rank() + r] = (float) (args.scale() * sum);
            }
        }
        args.y().copyFrom(y);
    }

    static void expand(BgmvExpandArgs args, BgmvExpandArgs.Shape s) {
        float[] v = args.v().toFloatArray();
        float[] w = args.w().toFloatArray();
        int[] idx = args.indices().toIntArray();
        float[] y = args.y().toFloatArray();
        for (int b = 0; b < s.batch(); b++) {
            if (idx[b] < 0) {
                continue;
            }
            for (int o = 0; o < s.hOut(); o++) {
                long w0 = ((long) idx[b] * s.hOut() + o) * s.rank();
                double sum = 0;
                for (int r = 0; r < s.rank(); r++) {
                    sum += (double) w[(int) (w0 + r)] * v[b * s.rank() + r];
                }
                int at = b * s.yRow() + args.offset() + o;
                y[at] = (float) (y[at] + sum);
            }
        }
        // Written back through the tensor's dtype, rounding once like the kernel.
        args.y().copyFrom(y);
    }
}
