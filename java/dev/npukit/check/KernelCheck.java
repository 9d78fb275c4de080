package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.tensor.DType;
import java.util.Map;

/**
 * Runs a registry case on a backend and on the reference and compares the outputs
 * (docs/kernels.md, equality between backends): bit for bit for the kernels without reductions,
 * else max |x - ref| / max |ref| within the case's bound, for every output, max |ref| raised to the
 * size of the summed terms where they can cancel ({@link KernelCase#termMagnitudes}).
 */
public final class KernelCheck {
    private KernelCheck() {
    }

    /**
     * The bound of a kernel with a reduction (docs/kernels.md, equality between backends).
     *
     * @param loosest the lowest-precision float dtype among the kernel's tensors
     * @return 1e-5 for F32, 2e-3 for F16 or BF16
     */
    public static double reductionBound(DType loosest) {
        return loosest == DType.F32 ? 1e-5 : 2e-3;
    }

    /**
     * Runs a case on a backend and on the reference and compares them. An exception from either
     * (a case is valid input, so any exception is a bug) is a failure, reported with the others,
     * as is an output of either that breaks {@link KernelCase#check}.
     *
     * @param c the case
     * @param backend the backend under test
     * @param reference the backend whose outputs are the expected ones (normally "reference")
     * @return the result: the worst relative error and, on failure, what differs
     */
    public static CaseResult run(KernelCase c, Backend backend, Backend reference) {
        Map<String, float[]> expected;
        Map<String, float[]> magnitudes;
        Map<String, float[]> actual;
        Backend running = reference;
        try {
            expected = c.run(reference);
            magnitudes = c.termMagnitudes(reference);
            running = backend;
            actual = c.run(backend);
        } catch (RuntimeException e) {
            return new CaseResult(c.name(), c.kernel(), c.dtype(), Double.POSITIVE_INFINITY, c.bound(),
                    running.name() + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        CaseResult result = compare(c, expected, magnitudes, actual);
        String broken = c.check(expected);
        if (broken != null) {
            return new CaseResult(c.name(), c.kernel(), c.dtype(), result.error(), c.bound(),
                    reference.name() + " breaks the contract: " + broken);
        }
        broken = result.passed() ? c.check(actual) : null;  // passed: every output is there, full length
        if (broken != null) {
            return new CaseResult(c.name(), c.kernel(), c.dtype(), result.error(), c.bound(),
                    backend.name() + " breaks the contract: " + broken);
        }
        return result;
    }

    /**
     * Compares outputs by name; the first output out of bounds names the failure.
     *
     * @param c the case the outputs belong to (its bound and output dtypes)
     * @param expected the reference's outputs
     * @param actual the outputs under test
     * @return the result: the worst relative error over all outputs and, on failure, the first difference
     */
    public static CaseResult compare(KernelCase c, Map<String, float[]> expected, Map<String, float[]> actual) {
        return compare(c, expected, null, actual);
    }

    /**
     * Compares outputs by name, the bound relative to the summed terms' size where they can cancel.
     *
     * @param c the case the outputs belong to (its bound and output dtypes)
     * @param expected the reference's outputs
     * @param magnitudes {@link KernelCase#termMagnitudes} of the case, or null
     * @param actual the outputs under test
     * @return the result: the worst relative error over all outputs and, on failure, the first difference
     */
    public static CaseResult compare(KernelCase c, Map<String, float[]> expected, Map<String, float[]> magnitudes,
            Map<String, float[]> actual) {
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
            double err = relativeError(got, ref, c.outputType(e.getKey()),
                    magnitudes == null ? null : magnitudes.get(e.getKey()));
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
     *
     * @param x the values under test
     * @param ref the expected values, as many as {@code x}
     * @param stored the dtype the output was stored in (F32 when it was computed in F32)
     * @return the relative error, 0 when equal, infinite on a NaN or infinity mismatch
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double relativeError(float[] x, float[] ref, DType stored) {
        return relativeError(x, ref, stored, null);
    }

    /**
     * {@link #relativeError(float[], float[], DType)} with the denominator the larger of max |ref|
     * and max |magnitudes|: for an output that sums terms which can cancel, {@code magnitudes} is
     * the same output with every term made non-negative ({@link KernelCase#termMagnitudes}), so
     * the bound does not tighten where the terms cancel.
     *
     * @param x the values under test
     * @param ref the expected values, as many as {@code x}
     * @param stored the dtype the output was stored in (F32 when it was computed in F32)
     * @param magnitudes the size of the summed terms, or null to divide by max |ref| alone
     * @return the relative error, 0 when equal, infinite on a NaN or infinity mismatch
     * @throws IllegalArgumentException if the lengths differ
     */
    public static double relativeError(float[] x, float[] ref, DType stored, float[] magnitudes) {
        if (x.length != ref.length) {
            throw new IllegalArgumentException("x: " + x.length + " elements, ref " + ref.length);
        }
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
        for (int i = 0; magnitudes != null && i < magnitudes.length; i++) {
            if (Float.isFinite(magnitudes[i])) {
                maxRef = Math.max(maxRef, Math.abs((double) magnitudes[i]));
            }
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
