package dev.npukit.bridge;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.ByRef;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.MemberGetter;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The native ABI's types (native/include/npukit/common.h, attention.h, contrastive.h, bgmv.h,
 * matmul.h, elementwise.h) mapped by JavaCPP: the tensor descriptor, one argument struct per kernel family, and
 * the status and location codes read from the header. The C compiler checks every name here when
 * the JNI layer is built. {@link CpuKernels} and {@link AscendKernels} take these structs; only
 * {@code dev.npukit.backend} fills them.
 *
 * <p>The structs are plain memory with no ownership: a struct's tensor members are views into
 * it ({@code args.q()}), valid while the struct is.
 */
@Platform(include = "npukit/kernels.h", library = "jniNpukitAbi")
public final class NativeAbi {
    static {
        Loader.load();
    }

    private NativeAbi() {
    }

    /** Loads the native library; throws {@link UnsatisfiedLinkError} if it cannot. */
    public static void load() {
        Loader.load(NativeAbi.class);
    }

    @MemberGetter
    public static native int NPUKIT_OK();

    @MemberGetter
    public static native int NPUKIT_ERR_ARGUMENT();

    @MemberGetter
    public static native int NPUKIT_ERR_BOUNDS();

    @MemberGetter
    public static native int NPUKIT_ERR_DATA();

    @MemberGetter
    public static native int NPUKIT_ERR_INTERNAL();

    @MemberGetter
    public static native int NPUKIT_ERR_DEVICE();

    @MemberGetter
    public static native int NPUKIT_ERR_IO();

    @MemberGetter
    public static native int NPUKIT_F32();

    @MemberGetter
    public static native int NPUKIT_F16();

    @MemberGetter
    public static native int NPUKIT_BF16();

    @MemberGetter
    public static native int NPUKIT_I32();

    @MemberGetter
    public static native int NPUKIT_ROPE_NONE();

    @MemberGetter
    public static native int NPUKIT_ROPE_NEOX();

    @MemberGetter
    public static native int NPUKIT_ROPE_GPTJ();

    @MemberGetter
    public static native int NPUKIT_HOST();

    @MemberGetter
    public static native int NPUKIT_DEVICE();

    @MemberGetter
    public static native int NPUKIT_MAX_RANK();

    /** Sets every field of {@code t} in one native call (the shape entries from {@code rank} on must be 0). */
    public static native void npukit_tensor_set(npukit_tensor t, @Cast("void*") long data, int dtype, int rank,
            long d0, long d1, long d2, long d3, long numel, int location, @Cast("const void*") long host);

    /** {@code struct npukit_tensor}: a tensor descriptor. */
    public static final class npukit_tensor extends Pointer {
        static {
            Loader.load();
        }

        /** A zeroed descriptor in native memory (an absent tensor). */
        public npukit_tensor() {
            allocate();
        }

        public npukit_tensor(Pointer p) {
            super(p);
        }

        private native void allocate();

        public native int dtype();

        public native npukit_tensor dtype(int v);

        public native int rank();

        public native npukit_tensor rank(int v);

        public native long shape(int i);

        public native npukit_tensor shape(int i, long v);

        public native long numel();

        public native npukit_tensor numel(long v);

        public native int location();

        public native npukit_tensor location(int v);
    }

    /** {@code struct npukit_attention_args}. */
    public static final class npukit_attention_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_attention_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor q();

        @MemberGetter
        public native @ByRef npukit_tensor k_cache();

        @MemberGetter
        public native @ByRef npukit_tensor v_cache();

        @MemberGetter
        public native @ByRef npukit_tensor block_tables();

        @MemberGetter
        public native @ByRef npukit_tensor seq_lens();

        @MemberGetter
        public native @ByRef npukit_tensor query_start_loc();

        @MemberGetter
        public native @ByRef npukit_tensor cos_sin();

        @MemberGetter
        public native @ByRef npukit_tensor out();

        public native int rope_style();

        public native npukit_attention_args rope_style(int v);

        public native int rotary_dim();

        public native npukit_attention_args rotary_dim(int v);

        public native float scale();

        public native npukit_attention_args scale(float v);

        public native int kv_layout();

        public native npukit_attention_args kv_layout(int v);
    }

    /** {@code struct npukit_write_kv_args}. */
    public static final class npukit_write_kv_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_write_kv_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor key();

        @MemberGetter
        public native @ByRef npukit_tensor value();

        @MemberGetter
        public native @ByRef npukit_tensor k_cache();

        @MemberGetter
        public native @ByRef npukit_tensor v_cache();

        @MemberGetter
        public native @ByRef npukit_tensor slot_mapping();

        public native int kv_layout();

        public native npukit_write_kv_args kv_layout(int v);
    }

    /** {@code struct npukit_rope_args}. */
    public static final class npukit_rope_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_rope_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor x();

        @MemberGetter
        public native @ByRef npukit_tensor positions();

        @MemberGetter
        public native @ByRef npukit_tensor cos_sin();

        public native int rope_style();

        public native npukit_rope_args rope_style(int v);

        public native int rotary_dim();

        public native npukit_rope_args rotary_dim(int v);
    }

    /** {@code struct npukit_contrastive_args}. */
    public static final class npukit_contrastive_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_contrastive_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor expert();

        public native long expert_first_row();

        public native npukit_contrastive_args expert_first_row(long v);

        public native long expert_row_stride();

        public native npukit_contrastive_args expert_row_stride(long v);

        @MemberGetter
        public native @ByRef npukit_tensor base();

        public native long base_first_row();

        public native npukit_contrastive_args base_first_row(long v);

        public native long base_row_stride();

        public native npukit_contrastive_args base_row_stride(long v);

        @MemberGetter
        public native @ByRef npukit_tensor token();

        @MemberGetter
        public native @ByRef npukit_tensor score();

        @MemberGetter
        public native @ByRef npukit_tensor valid_count();

        @MemberGetter
        public native @ByRef npukit_tensor topk_index();

        @MemberGetter
        public native @ByRef npukit_tensor topk_score();

        public native int top_k();

        public native npukit_contrastive_args top_k(int v);

        public native float ln_alpha();

        public native npukit_contrastive_args ln_alpha(float v);

        public native float beta();

        public native npukit_contrastive_args beta(float v);

        public native float temperature();

        public native npukit_contrastive_args temperature(float v);

        /** Host address of the seeds ({@code const int64_t*}), 0 for greedy. */
        public native @Cast("const int64_t*") long seeds();

        public native npukit_contrastive_args seeds(@Cast("const int64_t*") long v);

        public native long num_seeds();

        public native npukit_contrastive_args num_seeds(long v);
    }

    /** {@code struct npukit_bgmv_shrink_args}. */
    public static final class npukit_bgmv_shrink_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_bgmv_shrink_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor x();

        @MemberGetter
        public native @ByRef npukit_tensor a();

        @MemberGetter
        public native @ByRef npukit_tensor indices();

        @MemberGetter
        public native @ByRef npukit_tensor y();

        public native float scale();

        public native npukit_bgmv_shrink_args scale(float v);
    }

    /** {@code struct npukit_bgmv_expand_args}. */
    public static final class npukit_bgmv_expand_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_bgmv_expand_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor v();

        @MemberGetter
        public native @ByRef npukit_tensor w();

        @MemberGetter
        public native @ByRef npukit_tensor indices();

        @MemberGetter
        public native @ByRef npukit_tensor y();

        public native int offset();

        public native npukit_bgmv_expand_args offset(int v);
    }

    /** {@code struct npukit_matmul_args}. */
    public static final class npukit_matmul_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_matmul_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor x();

        @MemberGetter
        public native @ByRef npukit_tensor weight();

        @MemberGetter
        public native @ByRef npukit_tensor bias();

        @MemberGetter
        public native @ByRef npukit_tensor out();
    }

    /** {@code struct npukit_rms_norm_args}. */
    public static final class npukit_rms_norm_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_rms_norm_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor x();

        @MemberGetter
        public native @ByRef npukit_tensor residual();

        @MemberGetter
        public native @ByRef npukit_tensor weight();

        @MemberGetter
        public native @ByRef npukit_tensor out();

        public native float eps();

        public native npukit_rms_norm_args eps(float v);
    }

    /** {@code struct npukit_silu_mul_args}. */
    public static final class npukit_silu_mul_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_silu_mul_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor gate_up();

        @MemberGetter
        public native @ByRef npukit_tensor out();
    }

    /** {@code struct npukit_embedding_args}. */
    public static final class npukit_embedding_args extends Pointer {
        static {
            Loader.load();
        }

        public npukit_embedding_args() {
            allocate();
        }

        private native void allocate();

        @MemberGetter
        public native @ByRef npukit_tensor table();

        @MemberGetter
        public native @ByRef npukit_tensor ids();

        @MemberGetter
        public native @ByRef npukit_tensor out();
    }
}
