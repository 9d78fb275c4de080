package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * RMS norm, with or without the fused residual add, into an out that holds junk beforehand. The
 * mean square is a reduction (the F32 bound, 1e-5); the updated residual is one F32 add per
 * element and must be exact on every backend, which {@link #check} verifies from the inputs.
 */
final class RmsNormCase extends KernelCase {
    /** The kind of input rows. */
    enum Rows {
        /** Gaussian values. */
        GAUSSIAN,
        /** Gaussian values scaled to about 1e17: the sum of squares near F32's top, still finite. */
        LARGE,
        /** Every other row all zero: out is 0 there (eps > 0). */
        ZERO_ROWS
    }

    private final int rows;
    private final int hidden;
    private final boolean residual;
    private final float eps;
    private final Rows kind;

    RmsNormCase(int index, long seed, String edge, Rows kind, int rows, int hidden, boolean residual, float eps) {
        super("rmsNorm", index, seed, DType.F32, reductionBound(DType.F32),
                String.format("%srows=%d hidden=%d residual=%s eps=%s", edge == null ? "" : "edge=" + edge + " ",
                        rows, hidden, residual, eps));
        this.rows = rows;
        this.hidden = hidden;
        this.residual = residual;
        this.eps = eps;
        this.kind = kind;
    }

    private float[][] inputs() {
        Random r = new Random(seed());
        int n = rows * hidden;
        float[] x = Inputs.gaussian(r, n);
        float[] res = Inputs.gaussian(r, n);
        float[] w = Inputs.gaussian(r, hidden);
        for (int i = 0; i < n; i++) {
            if (kind == Rows.LARGE) {
                x[i] *= 1e17f;
                res[i] *= 1e17f;
            } else if (kind == Rows.ZERO_ROWS && (i / hidden) % 2 == 1) {
                x[i] = 0f;
                res[i] = 0f;
            }
        }
        return new float[][] {x, res, w};
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        float[][] in = inputs();
        try (Tensor x = be.fromFloats(DType.F32, in[0], rows, hidden);
                Tensor res = residual ? be.fromFloats(DType.F32, in[1], rows, hidden) : null;
                Tensor w = be.fromFloats(DType.F32, in[2], hidden);
                Tensor out = be.fromFloats(DType.F32, Inputs.filled(rows * hidden, 77f), rows, hidden)) {
            be.rmsNorm(new RmsNormArgs(x, res, w, out, eps));
            Map<String, float[]> result = new LinkedHashMap<>();
            result.put("out", out.toFloatArray());
            if (residual) {
                result.put("residual", res.toFloatArray());
            }
            return result;
        }
    }

    /** The residual is residual + x in F32 exactly; an all-zero row normalizes to zeros. */
    @Override
    public String check(Map<String, float[]> outputs) {
        float[][] in = inputs();
        float[] res = outputs.get("residual");
        for (int i = 0; residual && i < res.length; i++) {
            float expected = in[1][i] + in[0][i];
            if (Float.floatToIntBits(res[i]) != Float.floatToIntBits(expected)) {
                return "residual: element " + i + " is " + res[i] + ", residual + x is " + expected;
            }
        }
        float[] out = outputs.get("out");
        for (int i = 0; kind == Rows.ZERO_ROWS && i < out.length; i++) {
            if ((i / hidden) % 2 == 1 && out[i] != 0f) {
                return "out: element " + i + " of an all-zero row is " + out[i];
            }
        }
        return null;
    }
}
