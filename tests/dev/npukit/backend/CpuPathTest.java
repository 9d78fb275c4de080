package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The cpu backend runs the code path this process asked for: the baseline-ISA path when
 * NPUKIT_DISABLE_SIMD is set (the build runs the equality suites a second time that way), else
 * the AVX2 path wherever the processor has AVX2, FMA and F16C.
 */
class CpuPathTest {
    @Test
    void runsTheRequestedInstructionSetPath() {
        CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
        boolean disabled = System.getenv("NPUKIT_DISABLE_SIMD") != null;
        String expected = disabled || !hostHasAvx2() ? "baseline" : "avx2 fma f16c";
        assertEquals(expected, cpu.cpuFeatures());
    }

    /** Reads the processor flags the way a person would check them: /proc/cpuinfo. */
    private static boolean hostHasAvx2() {
        try {
            String info = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/cpuinfo"));
            return info.contains(" avx2") && info.contains(" fma") && info.contains(" f16c");
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read /proc/cpuinfo", e);
        }
    }
}
