package dev.npukit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.Backends;
import dev.npukit.backend.CpuBackend;
import dev.npukit.bridge.CpuBenchKernels;
import org.junit.jupiter.api.Test;

/** The FMA peak probe: it does the work it reports, in the attention kernel's instruction set. */
class FmaPeakTest {

    @Test
    void aProbeReportsTheOperationsOfItsChainsOnEveryThread() {
        FmaPeak.Probe probe = new FmaPeak.Probe(5);
        long flops = probe.flopsPerCall();
        // Whole rounds of whole chains of 8 lanes, 2 operations per FMA.
        assertTrue(flops > 0 && flops % 16 == 0, "flops " + flops);
        assertTrue(probe.gflops() > 0);
        assertTrue(probe.sizingGflops() > 0);
        probe.run();
    }

    @Test
    void theProbeNamesTheAttentionKernelsInstructionSet() {
        String cap = System.getenv().getOrDefault("NPUKIT_CPU_ISA", "avx512");
        String isa = FmaPeak.isa();
        int code = CpuBenchKernels.npukit_fma_peak_isa();
        assertTrue(code >= 0 && code <= 3, "code " + code);
        if (cap.equals("baseline")) {
            assertEquals(0, code, "NPUKIT_CPU_ISA=baseline caps the probe like the kernel");
        } else if (cap.equals("avx2")) {
            assertTrue(code <= 1, "NPUKIT_CPU_ISA=avx2 caps the probe like the kernel: " + isa);
        } else if (cap.equals("avx512vl")) {
            assertTrue(code <= 2, "NPUKIT_CPU_ISA=avx512vl caps the probe like the kernel: " + isa);
        }
        // The probe's path is the one the kernel reports (CpuBackend.cpuFeatures).
        String features = ((dev.npukit.backend.CpuBackend) dev.npukit.backend.Backends.get("cpu")).cpuFeatures();
        assertEquals(code == 3, features.startsWith("avx512-512bit"), features + " / " + isa);
        assertEquals(code == 2, features.startsWith("avx512vl"), features + " / " + isa);
        assertTrue(isa.startsWith(code == 3 ? "AVX-512 (512-bit" : code == 2 ? "AVX-512VL" : code == 1 ? "AVX2" : "baseline"),
                isa);
    }

    @Test
    void noRoundsDoNoWork() {
        Backends.get(CpuBackend.NAME);
        long[] flops = {-1};
        assertEquals(0.0, CpuBenchKernels.npukit_fma_peak_probe(0, flops));
        assertEquals(0, flops[0]);
        CpuBenchKernels.npukit_fma_peak_probe(-5, flops);
        assertEquals(0, flops[0]);
    }

    @Test
    void aProbeTimeOutOfRangeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FmaPeak.Probe(0));
        assertTrue(e.getMessage().contains("millis"), e.getMessage());
    }
}
