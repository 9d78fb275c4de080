package dev.npukit.backend;

import static dev.npukit.internal.NativeStatus.checkCpu;

import dev.npukit.bridge.CpuBenchKernels;
import dev.npukit.bridge.CpuKernels;
import dev.npukit.bridge.NativeAbi;
import dev.npukit.internal.BaseBackend;
import dev.npukit.internal.NativeArgs;
import dev.npukit.internal.NativeStorage;
import dev.npukit.internal.Storage;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;

/**
 * The optimized C++ backend (native/cpu) through the JavaCPP bridge: the production fallback on
 * hosts without an NPU. Tensors live in native memory. Multi-threaded inside each call
 * (NPUKIT_NUM_THREADS threads, default: all cores); SIMD paths are chosen at run time.
 */
public final class CpuBackend extends BaseBackend {
    public static final String NAME = "cpu";

    /** Marshals this backend's argument records into the native ABI's structs. */
    private final NativeArgs nativeArgs = new NativeArgs(NativeStorage::address, NativeArgs.HOST);

    private CpuBackend() {
    }

    /** Values of NPUKIT_CPU_ISA, the cap on the instruction-set path (unset: the fastest there is). */
    public static final java.util.List<String> ISA_CAPS = java.util.List.of("baseline", "avx2", "avx512");

    /** Loads the native library; throws {@link BackendUnavailableException} saying why it cannot. */
    static CpuBackend load() {
        checkIsaCap(System.getenv("NPUKIT_CPU_ISA"));
        try {
            CpuKernels.load();
            CpuBenchKernels.load();
            NativeAbi.load();
            return new CpuBackend();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new BackendUnavailableException("cpu backend unavailable: the native library did not load ("
                    + e.getMessage() + "); it is built by 'mvn package' for "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"), e);
        }
    }

    /** Refuses an NPUKIT_CPU_ISA value the native library would not understand. */
    static void checkIsaCap(String isa) {
        if (isa != null && !ISA_CAPS.contains(isa)) {
            throw new BackendUnavailableException("cpu backend unavailable: NPUKIT_CPU_ISA is '" + isa
                    + "'; it must be one of " + String.join(", ", ISA_CAPS) + " (or unset for the fastest path)");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendInfo info() {
        return new BackendInfo(NAME, true, "native C++ kernels " + version() + ", " + cpuFeatures() + ", "
                + threads() + " threads", "native");
    }

    /** Version of the native library. */
    public String version() {
        return CpuKernels.npukit_version().getString();
    }

    /**
     * The instruction-set path the kernels run: "avx512vl avx2 fma f16c" (attention on AVX-512VL,
     * the other kernels on AVX2), "avx2 fma f16c" or "baseline"; the fastest the processor has,
     * capped by NPUKIT_CPU_ISA ({@link #ISA_CAPS}).
     */
    public String cpuFeatures() {
        return CpuKernels.npukit_cpu_features().getString();
    }

    /**
     * The machine's memory read bandwidth in GB/s as the kernels see it: every worker thread
     * streams through {@code bytes} bytes of native memory (make it far larger than the caches).
     * The buffer is allocated {@code allocations} times, because where a large buffer lands can
     * change the rate (on a 2-core KVM guest: about 33 or about 53 GB/s, allocation by
     * allocation); each is read once to warm up and {@code reps} times timed. Returns the median
     * of all timed reads.
     */
    public double measureReadBandwidthGbPerS(long bytes, int allocations, int reps) {
        Check.arg(bytes >= 1 << 20, "bytes", "is %d, must be at least 1 MiB", bytes);
        Check.arg(allocations >= 1, "allocations", "is %d, must be at least 1", allocations);
        Check.arg(reps >= 1, "reps", "is %d, must be at least 1", reps);
        double[] gbPerS = new double[allocations * reps];
        for (int a = 0; a < allocations; a++) {
            try (Tensor buf = allocate(DType.I32, bytes / 4)) {
                fillDistinct(buf);
                long addr = NativeStorage.address(buf);
                CpuBenchKernels.npukit_read_bandwidth_probe(addr, buf.byteSize());
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    CpuBenchKernels.npukit_read_bandwidth_probe(addr, buf.byteSize());
                    gbPerS[a * reps + i] = buf.byteSize() / (double) (System.nanoTime() - t0);
                }
            }
        }
        java.util.Arrays.sort(gbPerS);
        return gbPerS[gbPerS.length / 2];
    }

    /** Worker threads per kernel call (NPUKIT_NUM_THREADS, default: all cores). */
    public int threads() {
        return CpuKernels.npukit_num_threads();
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
            buf.writeInts(off, n == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, n));
        }
    }

    @Override
    protected Storage newStorage(long bytes) {
        return new NativeStorage(bytes);
    }

    @Override
    protected void runPagedAttention(AttentionArgs a, AttentionShape s) {
        checkCpu(CpuKernels.npukit_cpu_paged_attention(nativeArgs.attention(a, s)));
    }

    @Override
    protected void runWriteKv(WriteKvArgs a, WriteKvArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_write_kv(nativeArgs.writeKv(a)));
    }

    @Override
    protected void runRope(RopeArgs a, RopeArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_rope(nativeArgs.rope(a, s)));
    }

    @Override
    protected void runContrastive(ContrastiveArgs a, ContrastiveArgs.Shape s) {
        int status = CpuKernels.npukit_cpu_contrastive(nativeArgs.contrastive(a, s));
        if (status == NativeArgs.ERR_DATA) {
            // A NaN in a row: bad input data, reported like the reference does.
            throw new IllegalArgumentException(CpuKernels.npukit_last_error().getString());
        }
        checkCpu(status);
    }

    @Override
    protected void runBgmvShrink(BgmvShrinkArgs a, BgmvShrinkArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_bgmv_shrink(nativeArgs.bgmvShrink(a)));
    }

    @Override
    protected void runBgmvExpand(BgmvExpandArgs a, BgmvExpandArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_bgmv_expand(nativeArgs.bgmvExpand(a)));
    }

    @Override
    protected void runMatmul(MatmulArgs a, MatmulArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_matmul(nativeArgs.matmul(a)));
    }
}
