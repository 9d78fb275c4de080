package dev.npukit.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Java codes that cross the native ABI are the header's (native/include/npukit/common.h). */
class NativeAbiTest {

    @Test
    void dtypeAndRopeStyleCodesAreTheHeaders() {
        assertEquals(NativeAbi.NPUKIT_F32(), DType.F32.code());
        assertEquals(NativeAbi.NPUKIT_F16(), DType.F16.code());
        assertEquals(NativeAbi.NPUKIT_BF16(), DType.BF16.code());
        assertEquals(NativeAbi.NPUKIT_I32(), DType.I32.code());
        assertEquals(NativeAbi.NPUKIT_ROPE_NONE(), RopeStyle.NONE.code());
        assertEquals(NativeAbi.NPUKIT_ROPE_NEOX(), RopeStyle.NEOX.code());
        assertEquals(NativeAbi.NPUKIT_ROPE_GPTJ(), RopeStyle.GPTJ.code());
    }

    @Test
    void statusCodesAreDistinctAndOkIsZero() {
        assertEquals(0, NativeAbi.NPUKIT_OK());
        Set<Integer> errors = Set.of(NativeAbi.NPUKIT_ERR_ARGUMENT(), NativeAbi.NPUKIT_ERR_BOUNDS(),
                NativeAbi.NPUKIT_ERR_DATA(), NativeAbi.NPUKIT_ERR_INTERNAL(), NativeAbi.NPUKIT_ERR_DEVICE(),
                NativeAbi.NPUKIT_ERR_IO());
        assertEquals(6, errors.size());
        assertNotEquals(NativeAbi.NPUKIT_HOST(), NativeAbi.NPUKIT_DEVICE());
    }

    @Test
    void aDescriptorIsFilledInOneCall() {
        NativeAbi.npukit_tensor t = new NativeAbi.npukit_tensor();
        assertEquals(0, t.rank(), "allocated zeroed: an absent tensor");
        NativeAbi.npukit_tensor_set(t, 0x1000L, DType.F16.code(), 3, 2, 3, 4, 0, 24, NativeAbi.NPUKIT_DEVICE(), 0L);
        assertEquals(DType.F16.code(), t.dtype());
        assertEquals(3, t.rank());
        assertEquals(4, t.shape(2));
        assertEquals(0, t.shape(3));
        assertEquals(24, t.numel());
        assertEquals(NativeAbi.NPUKIT_DEVICE(), t.location());
        t.close();
    }
}
