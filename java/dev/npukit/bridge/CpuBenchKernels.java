package dev.npukit.bridge;

import dev.npukit.bridge.NativeAbi.npukit_contrastive_args;
import dev.npukit.bridge.NativeAbi.npukit_tensor;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the cpu backend's benchmark helpers (native/bench/bench.h, outside the
 * public C ABI of native/include/npukit): the memory read bandwidth probe and the unfused
 * contrastive baseline. Used by {@code dev.npukit.bench}.
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

    public static native int npukit_cpu_contrastive_naive(@Const npukit_contrastive_args args,
            @Const npukit_tensor workspace);
}
