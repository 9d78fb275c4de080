package dev.npukit.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Tensor allocation, copies, views and closing, on the reference and cpu backends. */
class TensorTest {

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void copiesRoundTripWithConversion(String name) {
        Backend b = Backends.get(name);
        float[] data = {1f, -2.5f, 0.1f, 65504f, 1e-7f, 3.14159f};
        try (Tensor f32 = b.fromFloats(DType.F32, data, 2, 3);
                Tensor f16 = b.fromFloats(DType.F16, data, 2, 3);
                Tensor bf16 = b.fromFloats(DType.BF16, data, 6);
                Tensor i32 = b.fromInts(new int[] {7, -1, Integer.MAX_VALUE}, 3)) {
            assertArrayEquals(data, f32.toFloatArray());
            for (int i = 0; i < data.length; i++) {
                assertEquals(HalfFloats.roundTo(DType.F16, data[i]), f16.toFloatArray()[i]);
                assertEquals(HalfFloats.floatToBf16(data[i]), bf16.toBits()[i]);
            }
            assertArrayEquals(new int[] {7, -1, Integer.MAX_VALUE}, i32.toIntArray());
            assertEquals(24, f32.byteSize());
            assertEquals(12, f16.byteSize());
            assertEquals(name, f32.device());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void allocationIsZeroed(String name) {
        try (Tensor t = Backends.get(name).allocate(DType.F32, 1000)) {
            for (float f : t.toFloatArray()) {
                assertEquals(0f, f);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void viewsShareMemoryAndOutliveTheirParent(String name) {
        Backend b = Backends.get(name);
        Tensor parent = b.fromFloats(DType.F32, new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
        Tensor middle = parent.view(2, 2, 2);
        assertArrayEquals(new float[] {2, 3, 4, 5}, middle.toFloatArray());
        middle.copyFrom(new float[] {-2, -3, -4, -5});
        assertArrayEquals(new float[] {0, 1, -2, -3, -4, -5, 6, 7}, parent.toFloatArray());
        middle.close();
        assertFalse(parent.isClosed(), "closing a view closes nothing else");
        assertArrayEquals(new float[] {0, 1, -2, -3, -4, -5, 6, 7}, parent.toFloatArray());
        assertThrows(IllegalStateException.class, middle::toFloatArray);
        Tensor again = parent.view(6, 2);
        parent.close();
        assertTrue(parent.isClosed());
        assertThrows(IllegalStateException.class, parent::toFloatArray);
        assertThrows(IllegalStateException.class, () -> parent.view(0, 1));
        assertFalse(again.isClosed(), "a view holds the memory it shares");
        assertArrayEquals(new float[] {6, 7}, again.toFloatArray());
        again.close();
        assertThrows(IllegalStateException.class, again::toFloatArray);
        parent.close(); // idempotent
        again.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void badCopiesAreRefused(String name) {
        Backend b = Backends.get(name);
        try (Tensor t = b.allocate(DType.F16, 2, 2)) {
            assertThrows(IllegalArgumentException.class, () -> t.copyFrom(new float[3]));
            assertThrows(IllegalStateException.class, () -> t.copyFrom(new int[4]));
            assertThrows(IllegalArgumentException.class, () -> t.view(3, 2));
            assertThrows(IllegalArgumentException.class, () -> t.view(-1, 1));
            assertThrows(IllegalArgumentException.class, () -> t.reshape(3));
            assertThrows(IndexOutOfBoundsException.class, () -> t.readFloats(3, 2));
            assertThrows(IllegalArgumentException.class, () -> b.allocate(DType.F32, 2, -1));
            assertThrows(ArithmeticException.class, () -> b.allocate(DType.F32, Long.MAX_VALUE, 4));
        }
    }
}
