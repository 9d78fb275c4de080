package dev.npukit.backend;

import dev.npukit.kernels.SiluMulArgs;

/** The reference SiLU-and-multiply, in double, with silu(-inf) = -0 as the contract defines it. */
final class ReferenceSiluMul {
    private ReferenceSiluMul() {
    }

    /** silu(g) = g / (1 + exp(-g)); at -inf the quotient would be -inf / inf, so its limit -0 is used. */
    static double silu(double g) {
        return g == Double.NEGATIVE_INFINITY ? -0.0 : g / (1.0 + Math.exp(-g));
    }

    static void run(SiluMulArgs args, SiluMulArgs.Shape s) {
        float[] gu = args.gateUp().toFloatArray();
        int inter = s.inter();
        float[] out = new float[Math.multiplyExact(s.rows(), inter)];
        for (int r = 0; r < s.rows(); r++) {
            int row = 2 * r * inter;
            for (int i = 0; i < inter; i++) {
                out[r * inter + i] = (float) (silu(gu[row + i]) * gu[row + inter + i]);
            }
        }
        args.out().copyFrom(out);
    }
}
