package dev.npukit.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TensorSlotsTest {

    @Test
    void namesInOrderAndTheWrittenOnesMarked() {
        TensorSlots s = TensorSlots.of("x", "w", "y").written("y");
        assertEquals(3, s.count());
        assertEquals("w", s.name(1));
        assertFalse(s.written(0) || s.written(1));
        assertTrue(s.written(2));
        TensorSlots more = s.plus("workspace", true);
        assertEquals(4, more.count());
        assertEquals("workspace", more.name(3));
        assertTrue(more.written(2) && more.written(3));
        assertEquals(3, s.count(), "plus leaves the original alone");
    }

    @Test
    void repeatedUnknownOrNullNamesAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TensorSlots.of("x", "x")).getMessage()
                .startsWith("names: entry 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TensorSlots.of("x", null)).getMessage()
                .startsWith("names: entry 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TensorSlots.of("x").written("y")).getMessage()
                .startsWith("outputs: y"));
        assertThrows(IllegalArgumentException.class, () -> TensorSlots.of("x").plus("x", false));
    }
}
