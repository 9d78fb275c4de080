package dev.npukit.bridge;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the kernels only the model needs: the dense linear layer
 * (native/include/npukit/matmul.h). Same conventions as {@link CpuKernels}: raw native addresses
 * with element counts, status codes, the message in {@link CpuKernels#npukit_last_error()}.
 *
 * <p>Compiled into the same JNI library as {@link CpuKernels} ({@code library} below), so all of
 * them share one copy of the static kernel library: one thread pool, one per-thread last error.
 */
@Platform(include = {"npukit/common.h", "npukit/matmul.h"}, link = "npukit_cpu", library = "jniCpuKernels")
public final class CpuModelKernels {
    static {
        Loader.load();
    }

    private CpuModelKernels() {
    }

    /** Loads the native library; throws {@link UnsatisfiedLinkError} if it cannot. */
    public static void load() {
        Loader.load(CpuModelKernels.class);
    }

    public static native int npukit_matmul(
            @Cast("const void*") long x, int xDtype, long xNumel,
            @Cast("const void*") long w, int wDtype, long wNumel,
            @Cast("float*") long out, long outNumel,
            int m, int k, int n);
}
