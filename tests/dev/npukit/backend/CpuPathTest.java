package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        ProcCpuInfo info = ProcCpuInfo.read();
        boolean avx2 = info.avx2();
        boolean avx512 = info.avx512();
        boolean wide = info.fullWidth512();
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
}
