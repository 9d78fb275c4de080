package dev.npukit.bridge;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the Ascend path (native/include/npukit/ascend.h): ACL device memory and
 * the AscendC kernels' host launchers, linked from the static library {@code npukit_ascend}
 * that CMake builds in the mode chosen by {@code -Dnpukit.ascend} (npu, emu, or off, whose
 * entry points only report that the path is missing).
 *
 * <p>Tensor arguments are device addresses (from {@link #npukit_ascend_malloc}, plus offsets);
 * the native side re-checks every bound and returns a status code (0 = OK) with the message in
 * {@link #npukit_ascend_last_error()}. Only {@code dev.npukit.backend.AscendBackend} calls this class.
 */
@Platform(include = {"npukit/common.h", "npukit/ascend.h"}, link = "npukit_ascend", library = "jniAscendKernels")
public final class AscendKernels {
    static {
        Loader.load();
    }

    private AscendKernels() {
    }

    /** Loads the native library; throws {@link UnsatisfiedLinkError} if it cannot. */
    public static void load() {
        Loader.load(AscendKernels.class);
    }

    public static native @Cast("const char*") BytePointer npukit_ascend_mode();

    public static native @Cast("const char*") BytePointer npukit_ascend_target();

    public static native @Cast("const char*") BytePointer npukit_ascend_last_error();

    public static native int npukit_ascend_init(int device);

    public static native int npukit_ascend_malloc(long bytes, @Cast("int64_t*") LongPointer address);

    public static native int npukit_ascend_free(long address);

    public static native int npukit_ascend_copy_to_device(long deviceDst, @Cast("const void*") Pointer hostSrc,
            long bytes);

    public static native int npukit_ascend_copy_to_host(@Cast("void*") Pointer hostDst, long deviceSrc, long bytes);

    public static native int npukit_ascend_paged_attention(
            @Cast("const void*") long q, int qDtype, long qNumel,
            @Cast("const void*") long kCache, @Cast("const void*") long vCache, int cacheDtype, long cacheNumel,
            @Cast("const int32_t*") long blockTables, long blockTablesNumel,
            @Cast("const int32_t*") long seqLens, @Cast("const int32_t*") long queryStartLoc, int numSeqs,
            @Cast("const float*") long cosSin, long cosSinNumel,
            @Cast("void*") long out, int outDtype, long outNumel,
            int numTokens, int numHeads, int numKvHeads, int headDim,
            int numBlocks, int blockSize, int maxBlocksPerSeq,
            int ropeStyle, int rotaryDim, float scale);

    public static native int npukit_ascend_write_kv(
            @Cast("const void*") long key, int keyDtype, @Cast("const void*") long value, int valueDtype,
            long kvNumel,
            @Cast("void*") long kCache, @Cast("void*") long vCache, int cacheDtype, long cacheNumel,
            @Cast("const int32_t*") long slotMapping, int numTokens, int numKvHeads, int headDim,
            int numBlocks, int blockSize);

    public static native int npukit_ascend_rope(
            @Cast("void*") long x, int xDtype, long xNumel, @Cast("const int32_t*") long positions,
            @Cast("const float*") long cosSin, long cosSinNumel,
            int numTokens, int numHeads, int headDim, int rotaryDim, int ropeStyle);

    /** {@code seeds} is a host address (or 0 for greedy). */
    public static native int npukit_ascend_contrastive(
            @Cast("const void*") long expert, long expertNumel, long expertFirstRow, long expertRowStride,
            @Cast("const void*") long base, long baseNumel, long baseFirstRow, long baseRowStride,
            int dtype, int batch, int vocab, float lnAlpha, float beta,
            @Cast("int32_t*") long token, long tokenNumel, @Cast("float*") long score, long scoreNumel,
            @Cast("int32_t*") long validCount, long validCountNumel,
            int topK, @Cast("int32_t*") long topkIndex, @Cast("float*") long topkScore, long topkNumel,
            float temperature, @Cast("const int64_t*") long seeds, long seedsNumel);

    public static native int npukit_ascend_bgmv_shrink(
            @Cast("const void*") long x, int xDtype, long xNumel,
            @Cast("const void*") long a, int aDtype, long aNumel,
            @Cast("const int32_t*") long indices, long indicesNumel,
            @Cast("float*") long y, long yNumel,
            int batch, int hIn, int rank, int numLoras, float scale);

    public static native int npukit_ascend_bgmv_expand(
            @Cast("const void*") long v, int vDtype, long vNumel,
            @Cast("const void*") long w, int wDtype, long wNumel,
            @Cast("const int32_t*") long indices, long indicesNumel,
            @Cast("void*") long y, int yDtype, long yNumel, int yRow, int offset,
            int batch, int rank, int hOut, int numLoras);

    public static native int npukit_ascend_matmul(
            @Cast("const void*") long x, int xDtype, long xNumel,
            @Cast("const void*") long weight, int weightDtype, long weightNumel,
            @Cast("float*") long out, long outNumel, int m, int n, int k);

    /** Emulator only: launches a kernel that breaks rule 0..7 (see npukit/ascend.h) and returns the error. */
    public static native int npukit_ascend_emu_break_rule(int rule);
}
