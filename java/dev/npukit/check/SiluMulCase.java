package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * SiLU-and-multiply into an out that holds junk beforehand. exp differs between implementations
 * in its last bits, so the case is held to the F32 bound (1e-5) rather than bit for bit. The edge
 * case mixes gates at the ends of the range (+-inf, +-1e30, +-100, around exp's F32 overflow at
 * +-88.7, signed zeros) into ordinary ones: silu(+inf) = +inf, silu(-inf) = -0, never NaN, and
 * {@link #check} verifies those on every backend.
 */
final class SiluMulCase extends KernelCase {
    private static final float[] EXTREME_GATES = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e30f, -1e30f,
        100f, -100f, 88.7f, -88.7f, 89f, -89f, 0f, -0f, Float.MAX_VALUE, -Float.MAX_VALUE};

    private final int rows;
    private final int inter;
    private final boolean extreme;

    SiluMulCase(int index, long seed, boolean extreme, int rows, int inter) {
        super("siluMul", index, seed, DType.F32, reductionBound(DType.F32),
                String.format("%srows=%d inter=%d", extreme ? "edge=extreme-gate " : "", rows, inter));
        this.rows = rows;
        this.inter = inter;
        this.extreme = extreme;
    }

    private float[] gateUp() {
        Random r = new Random(seed());
        float[] gu = Inputs.gaussian(r, rows * 2 * inter);
        for (int i = 0; i < gu.length; i++) {
            boolean gate = i % (2 * inter) < inter;
            if (gate) {
                gu[i] *= 4f;
                if (extreme && r.nextInt(3) == 0) {
                    gu[i] = EXTREME_GATES[r.nextInt(EXTREME_GATES.length)];
                }
            }
        }
        return gu;
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        try (Tensor gu = be.fromFloats(DType.F32, gateUp(), rows, 2L * inter);
                Tensor out = be.fromFloats(DType.F32, Inputs.filled(rows * inter, 77f), rows, inter)) {
            be.siluMul(new SiluMulArgs(gu, out));
            Map<String, float[]> result = new LinkedHashMap<>();
            result.put("out", out.toFloatArray());
            return result;
        }
    }

    /** No NaN from finite or infinite gates with finite up values; silu(+-inf) * up is +-inf * up and -0 * up. */
    @Override
    public String check(Map<String, float[]> outputs) {
        float[] gu = gateUp();
        float[] out = outputs.get("out");
        for (int i = 0; i < out.length; i++) {
            int r = i / inter;
            float g = gu[r * 2 * inter + i % inter];
            float u = gu[r * 2 * inter + inter + i % inter];
            if (Float.isNaN(out[i])) {
                return "out: element " + i + " is NaN (gate " + g + ", up " + u + ")";
            }
            float expected = g == Float.POSITIVE_INFINITY ? g * u : g == Float.NEGATIVE_INFINITY ? -0f * u : out[i];
            if (Float.floatToIntBits(out[i]) != Float.floatToIntBits(expected)) {
                return "out: element " + i + " is " + out[i] + " for gate " + g + " and up " + u + ", expected " + expected;
            }
        }
        return null;
    }
}
