package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery, selection and the reasons given for unavailable backends. What the ascend backend's
 * mode implies is asserted from the mode this build has; the unavailable case runs in a child JVM
 * whose NPUKIT_ASCEND_DEVICE is not a number, which makes ascend unavailable in every build.
 */
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
        String mode = Backends.info("ascend").mode();
        assertEquals(mode.equals("npu") ? "ascend" : "cpu", Backends.best().name(), "ascend mode " + mode);
    }

    @Test
    void theModeSaysWhetherAscendIsAvailable() {
        BackendInfo ascend = Backends.info("ascend");
        assertTrue(List.of("npu", "emu", "none").contains(ascend.mode()), ascend.mode());
        assertEquals(!ascend.mode().equals("none"), ascend.available(), ascend.reason());
        assertEquals(ascend.available(), Backends.available().stream().anyMatch(b -> b.name().equals("ascend")));
        assertEquals(List.of("ascend", "cpu", "reference"), Backends.all().stream().map(BackendInfo::name).toList());
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
    void unavailableBackendSaysWhy() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), UnavailableAscendMain.class.getName());
        pb.environment().put("NPUKIT_ASCEND_DEVICE", "first");
        pb.environment().remove("NPUKIT_BACKEND");
        Process p = pb.redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        assertEquals(0, p.exitValue(), out);
        String reason = "ascend backend unavailable: NPUKIT_ASCEND_DEVICE='first' is not a device number";
        assertEquals(List.of("available=false", "mode=none", "reason=" + reason, "get throws " + reason,
                "listed=[cpu, reference]", "best=cpu"), out.lines().toList());
    }

    /** Prints what the backend registry says of ascend, one fact a line; run with a bad NPUKIT_ASCEND_DEVICE. */
    static final class UnavailableAscendMain {
        public static void main(String[] args) {
            BackendInfo ascend = Backends.info("ascend");
            System.out.println("available=" + ascend.available());
            System.out.println("mode=" + ascend.mode());
            System.out.println("reason=" + ascend.reason());
            System.out.println("get throws " + assertThrows(BackendUnavailableException.class,
                    () -> Backends.get("ascend")).getMessage());
            System.out.println("listed=" + Backends.available().stream().map(Backend::name).toList());
            System.out.println("best=" + Backends.best().name());
        }
    }
}
