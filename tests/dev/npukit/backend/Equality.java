package dev.npukit.backend;

import dev.npukit.tensor.DType;

/** The equality bounds of docs/kernels.md, equality between backends and the relative error they are measured in. */
final class Equality {
    private Equality() {
    }

    /**
     * max |x - ref| / max |ref| over the finite ref; equal elements agree, equal infinities and NaN
     * against NaN included (their difference would be NaN); NaN against a number is infinitely wrong.
     */
    static double relativeError(float[] x, float[] ref) {
        if (x.length != ref.length) {
            throw new AssertionError("lengths differ: " + x.length + " vs " + ref.length);
        }
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < x.length; i++) {
            if (Float.isNaN(x[i]) != Float.isNaN(ref[i])) {
                return Double.POSITIVE_INFINITY;
            }
            if (x[i] == ref[i] || Float.isNaN(ref[i])) {
                maxRef = Float.isFinite(ref[i]) ? Math.max(maxRef, Math.abs((double) ref[i])) : maxRef;
                continue;
            }
            maxDiff = Math.max(maxDiff, Math.abs((double) x[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs((double) ref[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    /** The bound for kernels with reductions over data of this dtype. */
    static double bound(DType dtype) {
        return dtype == DType.F32 ? 1e-5 : 2e-3;
    }
}
