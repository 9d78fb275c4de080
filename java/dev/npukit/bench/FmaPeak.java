package dev.npukit.bench;

import dev.npukit.backend.Backends;
import dev.npukit.backend.CpuBackend;
import dev.npukit.bridge.CpuBenchKernels;
import dev.npukit.util.Check;

/**
 * The FLOP/s the cpu backend's threads reach with independent FMA chains, in the instruction set
 * the attention kernel dispatches to on this processor (native/bench/bench.h,
 * npukit_fma_peak_probe): the ceiling the benchmarks compare compute-bound kernels with.
 */
public final class FmaPeak {
    private FmaPeak() {
    }

    /**
     * The probe's instruction set, named.
     *
     * @return "AVX-512 (512-bit FMA, 32 registers)", "AVX-512VL (256-bit FMA, 32 registers)",
     *     "AVX2 (256-bit FMA, 16 registers)" or "baseline (multiply and add)"
     */
    public static String isa() {
        Backends.get(CpuBackend.NAME);  // loads the native library
        return switch (CpuBenchKernels.npukit_fma_peak_isa()) {
            case 3 -> "AVX-512 (512-bit FMA, 32 registers)";
            case 2 -> "AVX-512VL (256-bit FMA, 32 registers)";
            case 1 -> "AVX2 (256-bit FMA, 16 registers)";
            default -> "baseline (multiply and add)";
        };
    }

    /**
     * One sized probe, for a benchmark that times it in turns with its own runs, so that both see
     * the same load on a shared machine.
     */
    public static final class Probe {
        private final long iterations;
        private final long flops;
        private final double sizingGflops;

        /**
         * Sizes the probe so that one call takes about {@code millis} milliseconds on an idle
         * machine (it runs once or twice to find out).
         *
         * @param millis the target time of one call, 1 to 10000
         * @throws IllegalArgumentException if millis is out of range
         */
        public Probe(int millis) {
            Check.arg(millis >= 1 && millis <= 10_000, "millis", "is %d, must be 1 to 10000", millis);
            Backends.get(CpuBackend.NAME);  // loads the native library
            long n = 1 << 16;
            long[] done = new long[1];
            while (true) {
                long t0 = System.nanoTime();
                CpuBenchKernels.npukit_fma_peak_probe(n, done);
                long ns = System.nanoTime() - t0;
                if (ns >= 200_000L * millis || n >= 1L << 40) {
                    iterations = Math.max(1, (long) (n * millis * 1e6 / Math.max(ns, 1)));
                    sizingGflops = done[0] / (double) Math.max(ns, 1);
                    break;
                }
                n *= 8;
            }
            CpuBenchKernels.npukit_fma_peak_probe(iterations, done);
            flops = done[0];
        }

        /**
         * The rate of the last sizing call, a first estimate of the peak.
         *
         * @return GFLOP/s
         */
        public double sizingGflops() {
            return sizingGflops;
        }

        /**
         * The floating-point operations of one {@link #gflops} call, for a caller that times
         * {@link #run} itself.
         *
         * @return 2 per lane per FMA, over all threads
         */
        public long flopsPerCall() {
            return flops;
        }

        /** Runs the probe once on every worker thread of the cpu backend (untimed). */
        public void run() {
            CpuBenchKernels.npukit_fma_peak_probe(iterations, new long[1]);
        }

        /**
         * Runs the probe once on every worker thread of the cpu backend.
         *
         * @return the FMA rate of that call in GFLOP/s (2 operations per lane per FMA)
         */
        public double gflops() {
            long[] flops = new long[1];
            long t0 = System.nanoTime();
            CpuBenchKernels.npukit_fma_peak_probe(iterations, flops);
            return flops[0] / (double) (System.nanoTime() - t0);
        }
    }
}
