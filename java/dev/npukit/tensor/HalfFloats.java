package dev.npukit.tensor;

/**
 * Conversions between float and the 16-bit formats IEEE binary16 (F16) and bfloat16 (BF16).
 *
 * <p>float to 16 bits rounds to nearest, ties to even, like the hardware (F16C, Ascend vector
 * Cast with round mode RINT); overflow goes to infinity, tiny values to subnormals or zero, and
 * NaN stays a quiet NaN with the sign and the top payload bits kept. The native kernels use
 * the same rules (native/common/convert.h), which is what makes conversions bit-exact across
 * backends.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /**
     * Widens an IEEE binary16 (F16) value to float, exactly.
     *
     * @param h the binary16 bit pattern
     * @return the same value as a float
     */
    public static float f16ToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            // Inf or NaN: keep the payload in the top mantissa bits.
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // Zero or subnormal: mant * 2^-24 is exact in float.
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /**
     * Narrows a float to IEEE binary16 (F16), rounding to nearest even; out-of-range values
     * become infinities, NaN stays NaN.
     *
     * @param f the value
     * @return the binary16 bit pattern
     */
    public static short floatToF16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            if (abs == 0x7f800000) {
                return (short) (sign | 0x7c00);
            }
            return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
        }
        if (abs >= 0x477ff000) {
            // 65520 and above round to infinity.
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) {
            // Normal in binary16 (>= 2^-14): add the rounding bias, then rebias the exponent.
            int rounded = abs + 0xfff + ((abs >>> 13) & 1);
            return (short) (sign | ((rounded - 0x38000000) >>> 13));
        }
        int exp = abs >>> 23;
        if (exp < 102) {
            // Below 2^-25: rounds to zero.
            return (short) sign;
        }
        // Subnormal: value = m * 2^(exp-150), unit 2^-24, so shift right by 126 - exp.
        int mant = (abs & 0x7fffff) | 0x800000;
        int shift = 126 - exp;
        int q = mant >>> shift;
        int rem = mant & ((1 << shift) - 1);
        int halfway = 1 << (shift - 1);
        if (rem > halfway || (rem == halfway && (q & 1) != 0)) {
            q++;
        }
        return (short) (sign | q);
    }

    /**
     * Widens a bfloat16 (BF16) value to float, exactly.
     *
     * @param b the bfloat16 bit pattern
     * @return the same value as a float
     */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /**
     * Narrows a float to bfloat16 (BF16), rounding to nearest even; NaN stays a quiet NaN.
     *
     * @param f the value
     * @return the bfloat16 bit pattern
     */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /**
     * Rounds a float through a storage type, as storing it in a tensor and reading it back would.
     *
     * @param dtype F32, F16 or BF16
     * @param f the value
     * @return the value the tensor would hold
     * @throws IllegalArgumentException if {@code dtype} is I32
     */
    public static float roundTo(DType dtype, float f) {
        switch (dtype) {
            case F16:
                return f16ToFloat(floatToF16(f));
            case BF16:
                return bf16ToFloat(floatToBf16(f));
            case F32:
                return f;
            default:
                throw new IllegalArgumentException("dtype " + dtype + " is not a floating-point type");
        }
    }
}
