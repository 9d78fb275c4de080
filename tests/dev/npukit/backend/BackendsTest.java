package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Discovery, selection and the reasons given for unavailable backends. */
class BackendsTest {

    @AfterEach
    void clearOverride() {
        System.clearProperty("npukit.backend");
    }

    @Test
    void referenceAndCpuAreAvailableAndShared() {
        assertSame(Backends.get("reference"), Backends.get("REFERENCE "));
        assertTrue(Backends.info("cpu").available(), Backends.info("cpu").reason());
        assertEquals("native", Backends.info("cpu").mode());
        assertTrue(Backends.info("cpu").reason().contains("threads"));
    }

    @Test
    void bestPrefersNpuThenCpuNeverTheEmulator() {
        BackendInfo ascend = Backends.info("ascend");
        if (ascend.available() && ascend.mode().equals("npu")) {
            assertEquals("ascend", Backends.best().name());
        } else {
            assertEquals("cpu", Backends.best().name());
        }
    }

    @Test
    void systemPropertyOverridesTheChoice() {
        System.setProperty("npukit.backend", "reference");
        assertEquals("reference", Backends.best().name());
        System.setProperty("npukit.backend", "tpu");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Backends::best);
        assertTrue(e.getMessage().contains("npukit.backend") && e.getMessage().contains("tpu"), e.getMessage());
    }

    @Test
    void unavailableBackendSaysWhy() {
        BackendInfo ascend = Backends.info("ascend");
        if (!ascend.available()) {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                    () -> Backends.get("ascend"));
            assertTrue(e.getMessage().startsWith("ascend backend unavailable:"), e.getMessage());
            assertEquals(e.getMessage(), ascend.reason());
            assertEquals("none", ascend.mode());
            assertFalse(Backends.available().stream().anyMatch(b -> b.name().equals("ascend")));
        }
        List<BackendInfo> all = Backends.all();
        assertEquals(List.of("ascend", "cpu", "reference"), all.stream().map(BackendInfo::name).toList());
    }
}
