package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Dense matmul into an F32 out that holds junk beforehand. Both sides convert the inputs to F32
 * identically, so only the summation order differs: the F32 bound (1e-5) holds whatever the
 * storage dtypes, tighter than the 2e-3 docs/kernels.md allows for F16/BF16 inputs. A case with
 * {@code alone} rows also runs each of those rows as a batch of one: batched decoding relies on a
 * row's result not depending on the rows batched with it, bit for bit. A case with a bias adds an
 * F32 bias of N values.
 */
final class MatmulCase extends KernelCase {
    private final DType xType;
    private final DType wType;
    private final int m;
    private final int k;
    private final int n;
    private final int[] alone;
    private final boolean bias;

    MatmulCase(int index, long seed, DType xType, DType wType, int m, int k, int n, int... alone) {
        this(index, seed, false, xType, wType, m, k, n, alone);
    }

    MatmulCase(int index, long seed, boolean bias, DType xType, DType wType, int m, int k, int n, int... alone) {
        super("matmul", index, seed, loosest(xType, wType), reductionBound(DType.F32),
                String.format("x=%s w=%s m=%d k=%d n=%d%s%s", xType, wType, m, k, n,
                        alone.length == 0 ? "" : " alone=" + Arrays.toString(alone).replace(" ", ""),
                        bias ? " bias" : ""));
        this.bias = bias;
        this.xType = xType;
        this.wType = wType;
        this.m = m;
        this.k = k;
        this.n = n;
        this.alone = alone.clone();
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        return run(be, false);
    }

    /** x * w + bias with every term non-negative. */
    @Override
    public Map<String, float[]> termMagnitudes(Backend reference) {
        return run(reference, true);
    }

    private Map<String, float[]> run(Backend be, boolean absolute) {
        Random r = new Random(seed());
        float[] x = Inputs.gaussian(r, m * k);
        float[] w = Inputs.gaussian(r, n * k);
        float[] b = bias ? Inputs.gaussian(r, n) : null;
        if (absolute) {
            x = Inputs.abs(x);
            w = Inputs.abs(w);
            b = b == null ? null : Inputs.abs(b);
        }
        Map<String, float[]> result = new LinkedHashMap<>();
        result.put("out", matmul(be, x, w, b, m));
        if (alone.length > 0) {
            float[] rows = new float[alone.length * n];
            for (int i = 0; i < alone.length; i++) {
                float[] one = matmul(be, Arrays.copyOfRange(x, alone[i] * k, (alone[i] + 1) * k), w, b, 1);
                System.arraycopy(one, 0, rows, i * n, n);
            }
            result.put("rowsAlone", rows);
        }
        return result;
    }

    private float[] matmul(Backend be, float[] x, float[] w, float[] b, int rows) {
        try (Tensor xt = be.fromFloats(xType, x, rows, k);
                Tensor wt = be.fromFloats(wType, w, n, k);
                Tensor bt = b == null ? null : be.fromFloats(DType.F32, b, n);
                Tensor out = be.fromFloats(DType.F32, Inputs.filled(rows * n, 77f), rows, n)) {
            be.matmul(new MatmulArgs(xt, wt, bt, out));
            return out.toFloatArray();
        }
    }

    /**
     * Each row run alone equals the same row of the batch bit for bit; with k = 0 every output is +0, or
     * the bias (0 + bias[n]).
     */
    @Override
    public String check(Map<String, float[]> outputs) {
        float[] out = outputs.get("out");
        for (int i = 0; i < alone.length; i++) {
            float[] batched = Arrays.copyOfRange(out, alone[i] * n, (alone[i] + 1) * n);
            float[] one = Arrays.copyOfRange(outputs.get("rowsAlone"), i * n, (i + 1) * n);
            int j = KernelCheck.firstBitDifference(one, batched);
            if (j >= 0) {
                return String.format("rowsAlone: row %d column %d alone is %s, in the batch of %d %s", alone[i], j,
                        one[j], m, batched[j]);
            }
        }
        float[] b = null;
        if (bias) {
            Random r = new Random(seed());
            Inputs.gaussian(r, m * k);
            Inputs.gaussian(r, n * k);
            b = Inputs.gaussian(r, n);
        }
        for (int i = 0; k == 0 && i < out.length; i++) {
            float expected = b == null ? 0f : 0f + b[i % n];
            if (Float.floatToIntBits(out[i]) != Float.floatToIntBits(expected)) {
                return "out: element " + i + " of an empty sum (k = 0) is " + out[i] + ", expected " + expected;
            }
        }
        return null;
    }
}
