package dev.npukit.backend;

import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;

/** The reference rotary embedding: the oracle the native RoPE kernels are bit-exact with. */
final class ReferenceRope {
    private ReferenceRope() {
    }

    /**
     * Rotates x[off .. off+rotaryDim) to the position whose table row starts at cs[csOff]: each
     * pair (a, b) becomes (a*c - b*s, b*c + a*s), in float, products rounded before the sum.
     */
    static void rotate(float[] x, int off, float[] cs, int csOff, int rotaryDim, RopeStyle style) {
        int half = rotaryDim / 2;
        for (int i = 0; i < half; i++) {
            float c = cs[csOff + i];
            float s = cs[csOff + half + i];
            int ia;
            int ib;
            if (style == RopeStyle.NEOX) {
                ia = off + i;
                ib = off + half + i;
            } else if (style == RopeStyle.GPTJ) {
                ia = off + 2 * i;
                ib = off + 2 * i + 1;
            } else {
                return;
            }
            float a = x[ia];
            float b = x[ib];
            x[ia] = a * c - b * s;
            x[ib] = b * c + a * s;
        }
    }

    static void run(RopeArgs args, RopeArgs.Shape s) {
        float[] x = args.x().toFloatArray();
        int[] pos = args.positions().toIntArray();
        float[] cs = args.cosSin().toFloatArray();
        for (int t = 0; t < s.numTokens(); t++) {
            for (int h = 0; h < s.numHeads(); h++) {
                rotate(x, (t * s.numHeads() + h) * s.headDim(), cs, pos[t] * s.rotaryDim(), s.rotaryDim(),
                        args.style());
            }
        }
        args.x().copyFrom(x);
    }
}
