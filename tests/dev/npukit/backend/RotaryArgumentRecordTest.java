package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The attention and RoPE records hold resolved values only: their constructors refuse a rotaryDim
 * that is not positive and a scale that is not finite, the attention builder requires the rotary
 * style, and the defaults (whole head, 1/sqrt(headDim)) are computed from q's headDim.
 */
class RotaryArgumentRecordTest {
    private final Backend b = Backends.get(ReferenceBackend.NAME);

    private static void assertRefused(String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
    }

    @Test
    void attentionConstructorRefusesUnresolvedValues() {
        assertRefused("rotaryDim", () -> new AttentionArgs(null, null, null, null, null, null, null, RopeStyle.NEOX,
                0, 1f, null));
        assertRefused("rotaryDim", () -> new AttentionArgs(null, null, null, null, null, null, null, RopeStyle.NONE,
                -4, 1f, null));
        assertRefused("scale", () -> new AttentionArgs(null, null, null, null, null, null, null, RopeStyle.NEOX,
                8, Float.NaN, null));
        assertRefused("scale", () -> new AttentionArgs(null, null, null, null, null, null, null, RopeStyle.NEOX,
                8, Float.NEGATIVE_INFINITY, null));
        assertRefused("ropeStyle", () -> new AttentionArgs(null, null, null, null, null, null, null, null,
                8, 1f, null));
    }

    @Test
    void builderRequiresTheRopeStyle() {
        try (Tensor q = b.allocate(DType.F32, 2, 4, 16)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> AttentionArgs.builder().q(q).build());
            assertEquals("ropeStyle: not set; call rope(style, cosSin) or noRope()", e.getMessage());
            assertRefused("ropeStyle", () -> AttentionArgs.builder().q(q).rope(null, null));
            assertRefused("rotaryDim", () -> AttentionArgs.builder().q(q).noRope().rotaryDim(0).build());
            assertRefused("scale", () -> AttentionArgs.builder().q(q).noRope().scale(Float.NaN).build());
        }
    }

    @Test
    void builderDefaultsComeFromHeadDim() {
        try (Tensor q = b.allocate(DType.F32, 3, 2, 64); Tensor cosSin = b.allocate(DType.F32, 8, 64)) {
            AttentionArgs neox = AttentionArgs.builder().q(q).rope(RopeStyle.NEOX, cosSin).build();
            assertEquals(RopeStyle.NEOX, neox.ropeStyle());
            assertSame(cosSin, neox.cosSin());
            assertEquals(64, neox.rotaryDim());
            assertEquals((float) (1.0 / Math.sqrt(64)), neox.scale());

            AttentionArgs none = AttentionArgs.builder().q(q).noRope().build();
            assertEquals(RopeStyle.NONE, none.ropeStyle());
            assertNull(none.cosSin());
            assertEquals(64, none.rotaryDim());

            AttentionArgs set = AttentionArgs.builder().q(q).rope(RopeStyle.GPTJ, cosSin).rotaryDim(32).scale(0.5f)
                    .build();
            assertEquals(32, set.rotaryDim());
            assertEquals(0.5f, set.scale());
            // Both values set: q is not needed for a default.
            assertEquals(16, AttentionArgs.builder().noRope().rotaryDim(16).scale(1f).build().rotaryDim());
        }
    }

    @Test
    void builderDefaultNeedsAUsableQ() {
        assertRefused("q", () -> AttentionArgs.builder().noRope().build());
        try (Tensor flat = b.allocate(DType.F32, 2, 64); Tensor noDim = b.allocate(DType.F32, 2, 4, 0)) {
            assertRefused("q", () -> AttentionArgs.builder().q(flat).noRope().build());
            assertRefused("q", () -> AttentionArgs.builder().q(noDim).noRope().scale(1f).build());
        }
    }

    @Test
    void ropeRecordRefusesUnresolvedRotaryDim() {
        try (Tensor x = b.allocate(DType.F32, 2, 4, 16)) {
            assertRefused("rotaryDim", () -> new RopeArgs(x, null, null, RopeStyle.NEOX, 0));
            assertRefused("rotaryDim", () -> new RopeArgs(x, null, null, RopeStyle.NEOX, -2));
        }
    }

    @Test
    void ropeRecordWithoutRotaryDimRotatesTheWholeHead() {
        try (Tensor x = b.allocate(DType.F32, 2, 4, 24); Tensor flat = b.allocate(DType.F32, 2, 24)) {
            assertEquals(24, new RopeArgs(x, null, null, RopeStyle.GPTJ).rotaryDim());
            assertRefused("x", () -> new RopeArgs(null, null, null, RopeStyle.NEOX));
            assertRefused("x", () -> new RopeArgs(flat, null, null, RopeStyle.NEOX));
        }
    }
}
