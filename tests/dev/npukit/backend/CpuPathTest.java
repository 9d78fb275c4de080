package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The cpu backend runs the code path this process asked for: the fastest the processor has,
 * capped by NPUKIT_CPU_ISA (the build runs the kernel suites again with the caps "baseline",
 * "avx2" and "avx512vl", so that every path is tested on a machine that has them all).
 */
class CpuPathTest {
    @Test
    void runsTheRequestedInstructionSetPath() {
        CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
        String cap = System.getenv().getOrDefault("NPUKIT_CPU_ISA", "avx512");
        // Elsewhere than on x86-64 the baseline path is the only one (and under qemu-user
        // /proc/cpuinfo describes the host, not the emulated processor).
        boolean x86 = System.getProperty("os.arch").matches("amd64|x86_64");
        String info = x86 ? cpuinfo() : "";
        boolean avx2 = info.contains(" avx2") && info.contains(" fma") && info.contains(" f16c");
        boolean avx512 = avx2 && info.contains(" avx512f") && info.contains(" avx512vl");
        // Full-width 512-bit units: AMD family 26 (1Ah, Zen 5) and later.
        boolean wide = avx512 && info.contains("AuthenticAMD") && cpuFamily(info) >= 26;
        String expected;
        if (wide && cap.equals("avx512")) {
            expected = "avx512-512bit avx512vl avx2 fma f16c";
        } else if (avx512 && (cap.equals("avx512") || cap.equals("avx512vl"))) {
            expected = "avx512vl avx2 fma f16c";
        } else if (avx2 && !cap.equals("baseline")) {
            expected = "avx2 fma f16c";
        } else {
            expected = "baseline";
        }
        assertEquals(expected, cpu.cpuFeatures());
    }

    @Test
    void refusesAnUnknownCap() {
        BackendUnavailableException e =
                assertThrows(BackendUnavailableException.class, () -> CpuBackend.checkIsaCap("avx3"));
        assertTrue(e.getMessage().contains("NPUKIT_CPU_ISA is 'avx3'"), e.getMessage());
        for (String cap : CpuBackend.ISA_CAPS) {
            assertDoesNotThrow(() -> CpuBackend.checkIsaCap(cap));
        }
        assertDoesNotThrow(() -> CpuBackend.checkIsaCap(null));
    }

    /** The first "cpu family" line of /proc/cpuinfo, or -1 without one. */
    private static int cpuFamily(String info) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^cpu family\\s*:\\s*(\\d+)").matcher(info);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Reads the processor flags the way a person would check them: /proc/cpuinfo. */
    private static String cpuinfo() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/cpuinfo", e);
        }
    }
}
