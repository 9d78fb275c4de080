package dev.npukit.backend;

/**
 * Deterministic Gumbel noise for contrastive sampling: the Java twin of native/cpu/gumbel.h,
 * step for step, so that every backend draws the same token. The formula and the reason for an
 * own logarithm are in native/include/npukit/contrastive.h.
 */
final class GumbelNoise {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private GumbelNoise() {
    }

    /** The splitmix64 finalizer. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Stream key of batch row {@code row} sampled with {@code seed}. */
    static long rowKey(long seed, long row) {
        return mix64(seed ^ mix64(row + GOLDEN));
    }

    /** ln x for positive normal x, in float with the native operation order (not Math.log). */
    static float log(float x) {
        int bits = Float.floatToRawIntBits(x);
        int k = (bits >>> 23) - 127;
        int mant = bits & 0x7fffff;
        if (mant > 0x3504f3) {
            mant |= 0x3f000000;
            k += 1;
        } else {
            mant |= 0x3f800000;
        }
        float m = Float.intBitsToFloat(mant);
        float f = m - 1.0f;
        float s = f / (2.0f + f);
        float z = s * s;
        float p = 1.0f / 9.0f;
        p = p * z + 1.0f / 7.0f;
        p = p * z + 1.0f / 5.0f;
        p = p * z + 1.0f / 3.0f;
        float twoS = s + s;
        float lnM = twoS + twoS * (z * p);
        float kf = (float) k;
        return kf * 0.693359375f + (lnM + kf * -2.12194440e-4f);
    }

    /** Gumbel noise of element {@code i} in the stream {@code rowKey}. */
    static float noise(long rowKey, long i) {
        long h = mix64(rowKey + (i + 1) * GOLDEN);
        float u = (float) (int) (2 * (h >>> 41) + 1) * 0x1p-24f;
        return -log(-log(u));
    }
}
