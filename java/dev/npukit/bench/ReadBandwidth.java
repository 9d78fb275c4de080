package dev.npukit.bench;

import dev.npukit.backend.Backends;
import dev.npukit.backend.CpuBackend;
import dev.npukit.bridge.CpuBenchKernels;
import dev.npukit.internal.NativeStorage;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.util.Arrays;

/**
 * The machine's memory read bandwidth as the cpu kernels see it, the ceiling the benchmarks
 * compare memory-bound kernels with (native/bench/bench.h, npukit_read_bandwidth_probe).
 */
public final class ReadBandwidth {
    private ReadBandwidth() {
    }

    /**
     * The memory read bandwidth in GB/s: the median of {@link #samplesGbPerS}.
     *
     * @param bytes the buffer's size (make it far larger than the caches)
     * @param allocations how many times the buffer is allocated
     * @param reps timed reads of each allocation
     * @return the median of all timed reads
     */
    public static double measureGbPerS(long bytes, int allocations, int reps) {
        return Quantile.median(samplesGbPerS(bytes, allocations, reps));
    }

    /**
     * Timed reads of the probe: every worker thread of the cpu backend streams through {@code
     * bytes} bytes of native memory (make it far larger than the caches). The buffer is allocated
     * {@code allocations} times, because where a large buffer lands can change the rate (on the
     * 2-core cloud VMs measured: about 33 GB/s, or 1.6 to 1.8 times that for some allocations, at
     * times for all of a process's, see {@link BandwidthModes}); each is read once to warm up and {@code reps} times timed.
     *
     * @param bytes the buffer's size (make it far larger than the caches)
     * @param allocations how many times the buffer is allocated, at least 1
     * @param reps timed reads of each allocation, at least 1
     * @return the rate of every timed read in GB/s, in the order read
     */
    public static double[] samplesGbPerS(long bytes, int allocations, int reps) {
        Check.arg(allocations >= 1, "allocations", "is %d, must be at least 1", allocations);
        Check.arg(reps >= 1, "reps", "is %d, must be at least 1", reps);
        double[] gbPerS = new double[allocations * reps];
        for (int a = 0; a < allocations; a++) {
            try (Probe probe = new Probe(bytes)) {
                for (int i = 0; i < reps; i++) {
                    gbPerS[a * reps + i] = probe.readGbPerS();
                }
            }
        }
        return gbPerS;
    }

    /**
     * One buffer of the probe, for a benchmark that times its reads in turns with its own runs, so
     * that both see the same load on a shared machine.
     */
    public static final class Probe implements AutoCloseable {
        private final Tensor buf;
        private final long addr;

        /**
         * Allocates the buffer, fills it and reads it once (untimed).
         *
         * @param bytes the buffer's size, at least 1 MiB (make it far larger than the caches)
         * @throws IllegalArgumentException if bytes is under 1 MiB
         */
        public Probe(long bytes) {
            Check.arg(bytes >= 1 << 20, "bytes", "is %d, must be at least 1 MiB", bytes);
            CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
            buf = cpu.allocate(DType.I32, bytes / 4);
            fillDistinct(buf);
            addr = NativeStorage.address(buf);
            CpuBenchKernels.npukit_read_bandwidth_probe(addr, buf.byteSize());
        }

        /**
         * Reads the whole buffer once with every worker thread of the cpu backend.
         *
         * @return the rate of that read in GB/s
         */
        public double readGbPerS() {
            long t0 = System.nanoTime();
            CpuBenchKernels.npukit_read_bandwidth_probe(addr, buf.byteSize());
            return buf.byteSize() / (double) (System.nanoTime() - t0);
        }

        /**
         * The buffer's size.
         *
         * @return bytes one {@link #readGbPerS} reads
         */
        public long bytes() {
            return buf.byteSize();
        }

        @Override
        public void close() {
            buf.close();
        }
    }

    /**
     * Fills an I32 tensor with values that differ from page to page. Zero-filled or repeating
     * pages can be deduplicated by the hypervisor and then read at cache speed, which would
     * overstate the memory bandwidth.
     */
    private static void fillDistinct(Tensor buf) {
        int[] chunk = new int[1 << 20];
        for (long off = 0; off < buf.numel(); off += chunk.length) {
            int n = (int) Math.min(chunk.length, buf.numel() - off);
            for (int i = 0; i < n; i++) {
                chunk[i] = (int) ((off + i) * 0x9E3779B97F4A7C15L >>> 32);
            }
            buf.writeInts(off, n == chunk.length ? chunk : Arrays.copyOf(chunk, n));
        }
    }
}
