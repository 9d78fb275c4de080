package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.tensor.DType;
import java.util.Map;

/**
 * Runs a registry case on a backend and on the reference and compares the outputs
 * (docs/kernels.md, equality between backends): bit for bit for the kernels without reductions,
 * else max |x - ref| / max |ref| within the case's bound, for every output.
 */
public final class KernelCheck {
    private KernelCheck() {
    }

    /**
     * The case on {@code backend} against {@code reference}. An exception from either (a case is
     * valid input, so any exception is a bug) is a failure, reported with the others.
     */
    public static CaseResult run(KernelCase c, Backend backend, Backend reference) {
        Map<String, float[]> expected;
        Map<String, float[]> actual;
        Backend running = reference;
        try {
            expected = c.run(reference);
            running = backend;
            actual = c.run(backend);
        } catch (RuntimeException e) {
            return new CaseResult(c.name(), c.kernel(), c.dtype(), Double.POSITIVE_INFINITY, c.bound(),
                    running.name() + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        return compare(c, expected, actual);
    }

    /** Compares outputs by name; the first output out of bounds names the failure. */
    public static CaseResult compare(KernelCase c, Map<String, float[]> expected, Map<String, float[]> actual) {
        double worst = 0;
        String message = null;
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            float[] ref = e.getValue();
            float[] got = actual.get(e.getKey());
            if (got == null || got.length != ref.length) {
                worst = Double.POSITIVE_INFINITY;
                message = message != null ? message : e.getKey() + ": " + (got == null ? "missing" : got.length
                        + " elements, reference " + ref.length);
                continue;
            }
            double err = relativeError(got, ref, c.outputType(e.getKey()));
            worst = Math.max(worst, err);
            if (message != null) {
                continue;
            }
            if (c.bitExact()) {
                int i = firstBitDifference(got, ref);
                if (i >= 0) {
                    message = String.format("%s: element %d is %s, reference %s (bit-exact kernel)", e.getKey(), i,
                            got[i], ref[i]);
                }
            } else if (!(err <= c.bound())) {
                message = String.format("%s: relative error %.3g exceeds %.0g", e.getKey(), err, c.bound());
            }
        }
        return new CaseResult(c.name(), c.kernel(), c.dtype(), worst, c.bound(), message);
    }

    /** Index of the first element whose bits differ (NaNs of any payload are equal), or -1. */
    static int firstBitDifference(float[] x, float[] ref) {
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToIntBits(x[i]) != Float.floatToIntBits(ref[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * max |x - ref| / max |ref| over the finite reference values; infinite when the two differ in
     * a NaN or an infinity (the same infinity at the same place is no error). For an output stored
     * in F16 or BF16, each element's difference first loses one unit in the last place of that
     * dtype: both sides round an F32 result once, and F32 results a hair apart can round to
     * neighbours (one BF16 unit is up to 2^-7 of the value, beyond the 2e-3 bound).
     */
    public static double relativeError(float[] x, float[] ref, DType stored) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.floatToIntBits(x[i]) == Float.floatToIntBits(ref[i])) {
                if (Float.isFinite(ref[i])) {
                    maxRef = Math.max(maxRef, Math.abs((double) ref[i]));
                }
                continue;
            }
            if (!Float.isFinite(x[i]) || !Float.isFinite(ref[i])) {
                return Double.POSITIVE_INFINITY;
            }
            double diff = Math.abs((double) x[i] - ref[i]) - ulp(stored, Math.max(Math.abs(x[i]), Math.abs(ref[i])));
            maxDiff = Math.max(maxDiff, diff);
            maxRef = Math.max(maxRef, Math.abs((double) ref[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /** One unit in the last place of a value of magnitude {@code v} stored in {@code dtype}; 0 for F32. */
    static double ulp(DType dtype, float v) {
        return switch (dtype) {
            case F16 -> Math.max(Math.ulp(v) * 8192.0, 0x1p-24);  // 10 mantissa bits; subnormals below 2^-14
            case BF16 -> Math.ulp(v) * 65536.0;                    // 7 mantissa bits, float's exponent range
            default -> 0;
        };
    }
}
