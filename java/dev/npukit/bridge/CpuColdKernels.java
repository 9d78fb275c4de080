package dev.npukit.bridge;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the CoLD kernels: contrastive scoring (native/include/npukit/contrastive.h)
 * and BGMV multi-LoRA (npukit/bgmv.h), plus the contrastive benchmark's naive baseline and read
 * probe. Same conventions as {@link CpuKernels}: raw native addresses with element counts,
 * status codes, the message in {@link CpuKernels#npukit_last_error()}. Only the backend package
 * calls this class.
 *
 * <p>It is compiled into the same JNI library as {@link CpuKernels} ({@code library} below), so
 * both share one copy of the static kernel library: one thread pool, one per-thread last error.
 */
@Platform(include = {"npukit/common.h", "npukit/contrastive.h", "npukit/bgmv.h"}, link = "npukit_cpu",
        library = "jniCpuKernels")
public final class CpuColdKernels {
    static {
        Loader.load();
    }

    private CpuColdKernels() {
    }

    /** Loads the native library; throws {@link UnsatisfiedLinkError} if it cannot. */
    public static void load() {
        Loader.load(CpuColdKernels.class);
    }

    public static native int npukit_contrastive(
            @Cast("const void*") long expert, long expertNumel, long expertFirstRow, long expertRowStride,
            @Cast("const void*") long base, long baseNumel, long baseFirstRow, long baseRowStride,
            int dtype, int batch, int vocab, float lnAlpha, float beta,
            @Cast("int32_t*") long token, long tokenNumel, @Cast("float*") long score, long scoreNumel,
            @Cast("int32_t*") long validCount, long validCountNumel,
            int topK, @Cast("int32_t*") long topkIndex, @Cast("float*") long topkScore, long topkNumel,
            float temperature, @Cast("const int64_t*") long seeds, long seedsNumel);

    public static native int npukit_contrastive_naive(
            @Cast("const void*") long expert, long expertNumel, long expertFirstRow, long expertRowStride,
            @Cast("const void*") long base, long baseNumel, long baseFirstRow, long baseRowStride,
            int dtype, int batch, int vocab, float lnAlpha, float beta,
            @Cast("int32_t*") long token, long tokenNumel, @Cast("float*") long workspace, long workspaceNumel);

    public static native int npukit_bgmv_shrink(
            @Cast("const void*") long x, int xDtype, long xNumel,
            @Cast("const void*") long a, int aDtype, long aNumel,
            @Cast("const int32_t*") long indices, long indicesNumel,
            @Cast("float*") long y, long yNumel,
            int batch, int hIn, int rank, int numLoras, float scale);

    public static native int npukit_bgmv_expand(
            @Cast("const void*") long v, int vDtype, long vNumel,
            @Cast("const void*") long w, int wDtype, long wNumel,
            @Cast("const int32_t*") long indices, long indicesNumel,
            @Cast("void*") long y, int yDtype, long yNumel, int yRow, int offset,
            int batch, int rank, int hOut, int numLoras);
}
