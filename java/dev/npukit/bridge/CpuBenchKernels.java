package dev.npukit.bridge;

import dev.npukit.bridge.NativeAbi.npukit_contrastive_args;
import dev.npukit.bridge.NativeAbi.npukit_tensor;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the cpu backend's benchmark helpers (native/bench/bench.h, outside the
 * public C ABI of native/include/npukit): the memory read bandwidth probe, the FMA peak probe
 * and the unfused contrastive baseline. Used by {@code dev.npukit.bench}.
 *
 * <p>Compiled into the same JNI library as {@link CpuKernels} ({@code library} below), so both
 * share one copy of the static kernel library: one thread pool, one per-thread last error.
 */
@Platform(include = {"npukit/common.h", "bench.h"}, link = "npukit_cpu", library = "jniCpuKernels")
public final class CpuBenchKernels {
    static {
        Loader.load();
    }

    private CpuBenchKernels() {
    }

    /** Loads the native library; throws {@link UnsatisfiedLinkError} if it cannot. */
    public static void load() {
        Loader.load(CpuBenchKernels.class);
    }

    /** Reads {@code bytes} bytes at {@code buf} with every worker thread; returns a checksum. */
    public static native double npukit_read_bandwidth_probe(@Cast("const void*") long buf, long bytes);

    /**
     * The FMA peak probe's instruction set, the attention kernel's on this processor: 2 AVX-512VL
     * (256-bit, 32 registers), 1 AVX2 + FMA (256-bit, 16 registers), 0 baseline.
     */
    public static native int npukit_fma_peak_isa();

    /**
     * Runs independent FMA chains on every worker thread, {@code iterations} rounds per thread;
     * writes the floating-point operations done to {@code flops[0]}; returns a checksum.
     */
    public static native double npukit_fma_peak_probe(long iterations, @Cast("int64_t*") long[] flops);

    public static native int npukit_cpu_contrastive_naive(@Const npukit_contrastive_args args,
            @Const npukit_tensor workspace);
}
