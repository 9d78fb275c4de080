package dev.npukit.bridge;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the optimized CPU kernels (native/cpu, declared in native/include/npukit).
 *
 * <p>Buffers are passed as raw native addresses with their element counts; the native side
 * re-checks every bound and returns a status code (0 = OK), with the message in
 * {@link #npukit_last_error()}. Only {@code dev.npukit.backend.CpuBackend} calls this class.
 */
@Platform(include = {"npukit/common.h", "npukit/attention.h", "npukit/bench.h"}, link = "npukit_cpu")
public final class CpuKernels {
    static {
        Loader.load();
    }

    private CpuKernels() {
    }

    /** Loads the native library; throws {@link UnsatisfiedLinkError} if it cannot. */
    public static void load() {
        Loader.load(CpuKernels.class);
    }

    public static native @Cast("const char*") BytePointer npukit_last_error();

    public static native @Cast("const char*") BytePointer npukit_version();

    public static native @Cast("const char*") BytePointer npukit_cpu_features();

    public static native int npukit_num_threads();

    /** Zero-filled native memory (huge-page advised from 2 MiB); a null pointer if unavailable. */
    public static native Pointer npukit_alloc(long bytes);

    public static native void npukit_free(Pointer memory);

    public static native int npukit_paged_attention(
            @Cast("const void*") long q, int qDtype, long qNumel,
            @Cast("const void*") long kCache, @Cast("const void*") long vCache, int cacheDtype, long cacheNumel,
            @Cast("const int32_t*") long blockTables, long blockTablesNumel,
            @Cast("const int32_t*") long seqLens, @Cast("const int32_t*") long queryStartLoc, int numSeqs,
            @Cast("const float*") long cosSin, long cosSinNumel,
            @Cast("void*") long out, int outDtype, long outNumel,
            int numTokens, int numHeads, int numKvHeads, int headDim,
            int numBlocks, int blockSize, int maxBlocksPerSeq,
            int ropeStyle, int rotaryDim, float scale);

    public static native int npukit_write_kv(
            @Cast("const void*") long key, int keyDtype, @Cast("const void*") long value, int valueDtype,
            long kvNumel,
            @Cast("void*") long kCache, @Cast("void*") long vCache, int cacheDtype, long cacheNumel,
            @Cast("const int32_t*") long slotMapping, int numTokens, int numKvHeads, int headDim,
            int numBlocks, int blockSize);

    public static native int npukit_rope(
            @Cast("void*") long x, int xDtype, long xNumel, @Cast("const int32_t*") long positions,
            @Cast("const float*") long cosSin, long cosSinNumel,
            int numTokens, int numHeads, int headDim, int rotaryDim, int ropeStyle);

    /** Reads {@code bytes} bytes at {@code buf} with every worker thread; returns a checksum. */
    public static native double npukit_read_bandwidth_probe(@Cast("const void*") long buf, long bytes);
}
