package dev.npukit.bridge;

import dev.npukit.bridge.NativeAbi.npukit_attention_args;
import dev.npukit.bridge.NativeAbi.npukit_bgmv_expand_args;
import dev.npukit.bridge.NativeAbi.npukit_bgmv_shrink_args;
import dev.npukit.bridge.NativeAbi.npukit_contrastive_args;
import dev.npukit.bridge.NativeAbi.npukit_embedding_args;
import dev.npukit.bridge.NativeAbi.npukit_matmul_args;
import dev.npukit.bridge.NativeAbi.npukit_rms_norm_args;
import dev.npukit.bridge.NativeAbi.npukit_silu_mul_args;
import dev.npukit.bridge.NativeAbi.npukit_rope_args;
import dev.npukit.bridge.NativeAbi.npukit_write_kv_args;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the optimized CPU kernels (native/cpu): the kernel ABI of
 * native/include/npukit/kernels.h with the {@code npukit_cpu_} prefix, host memory and library
 * facts. Each kernel takes its argument struct ({@link NativeAbi}) of host tensors and returns a
 * status code (0 = OK) with the message in {@link #npukit_last_error()}. Only
 * {@code dev.npukit.backend} calls this class.
 */
@Platform(include = {"npukit/common.h", "npukit/kernels.h"}, link = "npukit_cpu", library = "jniCpuKernels")
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

    public static native int npukit_cpu_paged_attention(@Const npukit_attention_args args);

    public static native int npukit_cpu_write_kv(@Const npukit_write_kv_args args);

    public static native int npukit_cpu_rope(@Const npukit_rope_args args);

    public static native int npukit_cpu_contrastive(@Const npukit_contrastive_args args);

    public static native int npukit_cpu_bgmv_shrink(@Const npukit_bgmv_shrink_args args);

    public static native int npukit_cpu_bgmv_expand(@Const npukit_bgmv_expand_args args);

    public static native int npukit_cpu_matmul(@Const npukit_matmul_args args);

    public static native int npukit_cpu_rms_norm(@Const npukit_rms_norm_args args);

    public static native int npukit_cpu_silu_mul(@Const npukit_silu_mul_args args);

    public static native int npukit_cpu_embedding(@Const npukit_embedding_args args);
}
