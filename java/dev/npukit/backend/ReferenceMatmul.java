package dev.npukit.backend;

import dev.npukit.kernels.MatmulArgs;

/** The reference dense layer: dot products summed in double (the bias added to the sum), the oracle for the native F32 sums. */
final class ReferenceMatmul {
    private ReferenceMatmul() {
    }

    static void run(MatmulArgs args, MatmulArgs.Shape s) {
        float[] x = args.x().toFloatArray();
        float[] w = args.weight().toFloatArray();
        float[] bias = args.bias() == null ? null : args.bias().toFloatArray();
        float[] out = new float[Math.multiplyExact(s.m(), s.n())];
        int k = s.k();
        for (int m = 0; m < s.m(); m++) {
            for (int n = 0; n < s.n(); n++) {
                double sum = 0;
                int xi = m * k;
                int wi = n * k;
                for (int i = 0; i < k; i++) {
                    sum += (double) x[xi + i] * w[wi + i];
                }
                if (bias != null) {
                    sum += bias[n];
                }
                out[m * s.n() + n] = (float) sum;
            }
        }
        args.out().copyFrom(out);
    }
}
