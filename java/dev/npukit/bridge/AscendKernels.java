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
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the Ascend path: the runtime (native/include/npukit/ascend.h: device, ACL
 * device memory) and the kernel ABI of npukit/kernels.h with the {@code npukit_ascend_} prefix,
 * implemented by the AscendC kernels' host launchers, linked from the static library
 * {@code npukit_ascend} that CMake builds in the mode chosen by {@code -Dnpukit.ascend} (npu, emu,
 * or off, whose entry points only report that the path is missing).
 *
 * <p>Kernels take their argument struct ({@link NativeAbi}) of device tensors (addresses from
 * {@link #npukit_ascend_malloc}, plus offsets); the native side re-checks every bound and returns
 * a status code (0 = OK) with the message in {@link #npukit_ascend_last_error()}. Only
 * {@code dev.npukit.backend} calls this class.
 */
@Platform(include = {"npukit/common.h", "npukit/ascend.h", "npukit/kernels.h"}, link = "npukit_ascend", library = "jniAscendKernels")
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

    /** Host-device copy counts into {@code counts[4]} (see npukit/ascend.h); emulator builds only. */
    public static native int npukit_ascend_copy_counts(@Cast("int64_t*") long[] counts);

    /** Fields of {@link #npukit_ascend_last_launch_cost}. */
    public static final int COST_FIELDS = 12;

    /**
     * The last launch's counters and its modelled and HBM-bound times (Atlas A2 cost model) into
     * {@code out[COST_FIELDS]} (see npukit/ascend.h); emulator builds only.
     */
    public static native int npukit_ascend_last_launch_cost(double[] out);

    public static native int npukit_ascend_paged_attention(@Const npukit_attention_args args);

    public static native int npukit_ascend_write_kv(@Const npukit_write_kv_args args);

    public static native int npukit_ascend_rope(@Const npukit_rope_args args);

    public static native int npukit_ascend_contrastive(@Const npukit_contrastive_args args);

    public static native int npukit_ascend_bgmv_shrink(@Const npukit_bgmv_shrink_args args);

    public static native int npukit_ascend_bgmv_expand(@Const npukit_bgmv_expand_args args);

    public static native int npukit_ascend_matmul(@Const npukit_matmul_args args);

    public static native int npukit_ascend_rms_norm(@Const npukit_rms_norm_args args);

    public static native int npukit_ascend_silu_mul(@Const npukit_silu_mul_args args);

    public static native int npukit_ascend_embedding(@Const npukit_embedding_args args);
}
