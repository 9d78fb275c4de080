package dev.npukit.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** F16 and BF16 conversions against known bit patterns (IEEE 754 binary16, bfloat16). */
class HalfFloatsTest {

    private static void f16(float in, int expectedBits) {
        assertEquals(String.format("0x%04x", expectedBits),
                String.format("0x%04x", HalfFloats.floatToF16(in) & 0xffff), "floatToF16(" + in + ")");
    }

    private static void bf16(float in, int expectedBits) {
        assertEquals(String.format("0x%04x", expectedBits),
                String.format("0x%04x", HalfFloats.floatToBf16(in) & 0xffff), "floatToBf16(" + in + ")");
    }

    @Test
    void f16KnownPatterns() {
        f16(0f, 0x0000);
        f16(-0f, 0x8000);
        f16(1f, 0x3c00);
        f16(-2f, 0xc000);
        f16(0.5f, 0x3800);
        f16(65504f, 0x7bff); // largest finite
        f16(0x1p-14f, 0x0400); // smallest normal
        f16(0x1p-24f, 0x0001); // smallest subnormal
        f16(0x1p-15f, 0x0200); // a subnormal
        f16(Float.POSITIVE_INFINITY, 0x7c00);
        f16(Float.NEGATIVE_INFINITY, 0xfc00);
        f16(1e10f, 0x7c00); // overflow
        f16(-1e-10f, 0x8000); // underflow keeps the sign
        f16(0.1f, 0x2e66);
        f16((float) Math.PI, 0x4248);
    }

    @Test
    void f16RoundsToNearestEven() {
        // 1 + 2^-11 is halfway between 1 (0x3c00, even) and 1 + 2^-10 (0x3c01): ties go to even.
        f16(1f + 0x1p-11f, 0x3c00);
        // 1 + 3*2^-11 is halfway between 0x3c01 (odd) and 0x3c02 (even).
        f16(1f + 3 * 0x1p-11f, 0x3c02);
        // Just above halfway rounds up.
        f16(Math.nextUp(1f + 0x1p-11f), 0x3c01);
        // 65520 is halfway between 65504 and 65536 (overflow): ties to even = infinity.
        f16(65520f, 0x7c00);
        f16(Math.nextDown(65520f), 0x7bff);
        // Subnormal ties: 2^-25 is halfway between 0 and the smallest subnormal: to even (0).
        f16(0x1p-25f, 0x0000);
        f16(Math.nextUp(0x1p-25f), 0x0001);
        // 3 * 2^-25 is halfway between 0x0001 and 0x0002: to even.
        f16(3 * 0x1p-25f, 0x0002);
        // Rounding up out of the subnormal range gives the smallest normal.
        f16(Math.nextDown(0x1p-14f), 0x0400);
    }

    @Test
    void f16NaNStaysQuietNaN() {
        short h = HalfFloats.floatToF16(Float.NaN);
        assertEquals(0x7e00, h & 0x7e00, "quiet NaN");
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(h)));
        // A signalling NaN with only low payload bits must not become infinity.
        float snan = Float.intBitsToFloat(0x7f800001);
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat(HalfFloats.floatToF16(snan))));
        assertEquals(0xfe00, HalfFloats.floatToF16(Float.intBitsToFloat(0xffc00000)) & 0xffff, "sign kept");
    }

    @Test
    void f16WidensExactly() {
        assertEquals(1f, HalfFloats.f16ToFloat((short) 0x3c00));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7bff));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(-0x1p-24f, HalfFloats.f16ToFloat((short) 0x8001));
        assertEquals(0x3ffp-24f, HalfFloats.f16ToFloat((short) 0x03ff));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat((short) 0xfc00));
        // Every one of the 65536 patterns survives a round trip (NaNs stay NaN).
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = HalfFloats.f16ToFloat((short) bits);
            short back = HalfFloats.floatToF16(f);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(HalfFloats.f16ToFloat(back)));
            } else {
                assertEquals(bits, back & 0xffff, "round trip of 0x" + Integer.toHexString(bits));
            }
        }
    }

    @Test
    void bf16KnownPatterns() {
        bf16(0f, 0x0000);
        bf16(-0f, 0x8000);
        bf16(1f, 0x3f80);
        bf16(-2f, 0xc000);
        bf16(Float.POSITIVE_INFINITY, 0x7f80);
        bf16(Float.MAX_VALUE, 0x7f80); // rounds up to infinity
        bf16(Float.MIN_VALUE, 0x0000); // smallest float subnormal rounds to zero
        bf16(Float.intBitsToFloat(0x00018000), 0x0002); // subnormal tie to even (0x0001 odd -> 0x0002)
        bf16((float) Math.PI, 0x4049);
        // Halfway cases: 0x3f808000 lies between 0x3f80 (even) and 0x3f81.
        bf16(Float.intBitsToFloat(0x3f808000), 0x3f80);
        bf16(Float.intBitsToFloat(0x3f818000), 0x3f82);
        bf16(Float.intBitsToFloat(0x3f808001), 0x3f81);
        short nan = HalfFloats.floatToBf16(Float.intBitsToFloat(0x7f800001));
        assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(nan)), "signalling NaN stays NaN");
        assertEquals(0x7fc0, nan & 0xffc0);
        assertEquals(1f, HalfFloats.bf16ToFloat((short) 0x3f80));
    }
}
