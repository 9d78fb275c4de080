package dev.npukit.backend;

import dev.npukit.kernels.RmsNormArgs;

/**
 * The reference RMS norm: the residual add in float (exactly what every backend stores), the mean
 * square and the scale in double, the oracle for the native F32 sums.
 */
final class ReferenceRmsNorm {
    private ReferenceRmsNorm() {
    }

    static void run(RmsNormArgs args, RmsNormArgs.Shape s) {
        float[] x = args.x().toFloatArray();
        float[] w = args.weight().toFloatArray();
        int hidden = s.hidden();
        float[] in = x;
        if (args.residual() != null) {
            float[] res = args.residual().toFloatArray();
            for (int i = 0; i < res.length; i++) {
                res[i] += x[i];
            }
            args.residual().copyFrom(res);
            in = res;
        }
        float[] out = new float[in.length];
        for (int r = 0; r < s.rows(); r++) {
            int base = r * hidden;
            double sum = 0;
            for (int i = 0; i < hidden; i++) {
                sum += (double) in[base + i] * in[base + i];
            }
            double inv = 1.0 / Math.sqrt(sum / hidden + args.eps());
            for (int i = 0; i < hidden; i++) {
                out[base + i] = (float) (in[base + i] * inv * w[i]);
            }
        }
        args.out().copyFrom(out);
    }
}
