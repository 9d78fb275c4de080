package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Dense matmul into an F32 out that holds junk beforehand. Both sides convert the inputs to F32
 * identically, so only the summation order differs: the F32 bound (1e-5) holds whatever the
 * storage dtypes, tighter than the 2e-3 docs/kernels.md allows for F16/BF16 inputs.
 */
final class MatmulCase extends KernelCase {
    private final DType xType;
    private final DType wType;
    private final int m;
    private final int k;
    private final int n;

    MatmulCase(int index, long seed, DType xType, DType wType, int m, int k, int n) {
        super("matmul", index, seed, loosest(xType, wType), reductionBound(DType.F32),
                String.format("x=%s w=%s m=%d k=%d n=%d", xType, wType, m, k, n));
        this.xType = xType;
        this.wType = wType;
        this.m = m;
        this.k = k;
        this.n = n;
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        Random r = new Random(seed());
        float[] x = Inputs.gaussian(r, m * k);
        float[] w = Inputs.gaussian(r, n * k);
        try (Tensor xt = be.fromFloats(xType, x, m, k);
                Tensor wt = be.fromFloats(wType, w, n, k);
                Tensor out = be.fromFloats(DType.F32, Inputs.filled(m * n, 77f), m, n)) {
            be.matmul(new MatmulArgs(xt, wt, out));
            Map<String, float[]> result = new LinkedHashMap<>();
            result.put("out", out.toFloatArray());
            return result;
        }
    }
}
