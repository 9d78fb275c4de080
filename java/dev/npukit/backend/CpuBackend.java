package dev.npukit.backend;

import static dev.npukit.internal.NativeStatus.checkCpu;

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
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.kernels.WriteKvArgs;

/**
 * The optimized C++ backend (native/cpu) through the JavaCPP bridge: the production fallback on
 * hosts without an NPU. Tensors live in native memory. Multi-threaded inside each call
 * (NPUKIT_NUM_THREADS threads, default: all cores); SIMD paths are chosen at run time.
 */
public final class CpuBackend extends BaseBackend {
    /** The name {@link Backends#get} takes: "cpu". */
    public static final String NAME = "cpu";

    /** Marshals this backend's argument records into the native ABI's structs. */
    private final NativeArgs nativeArgs = new NativeArgs(NativeStorage::address, NativeArgs.HOST);

    private CpuBackend() {
    }

    /**
     * Values of NPUKIT_CPU_ISA, the cap on the instruction-set path (unset: the fastest there is):
     * "avx512vl" keeps AVX-512 on 256-bit vectors, "avx512" lets attention use 512-bit vectors where
     * the processor runs them at full width.
     */
    public static final java.util.List<String> ISA_CAPS = java.util.List.of("baseline", "avx2", "avx512vl", "avx512");

    /** Loads the native library; throws {@link BackendUnavailableException} saying why it cannot. */
    static CpuBackend load() {
        checkIsaCap(System.getenv("NPUKIT_CPU_ISA"));
        try {
            CpuKernels.load();
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

    /**
     * The version of the native library.
     *
     * @return the version string it was built with
     */
    public String version() {
        return CpuKernels.npukit_version().getString();
    }

    /**
     * The instruction-set path the kernels run: "avx512-512bit avx512vl avx2 fma f16c" (attention
     * on 512-bit AVX-512 vectors where its head dim allows, the other kernels on AVX2), "avx512vl
     * avx2 fma f16c" (attention on 256-bit AVX-512VL vectors), "avx2 fma f16c" or "baseline"; the
     * fastest the processor has, capped by NPUKIT_CPU_ISA ({@link #ISA_CAPS}).
     *
     * @return the instruction-set path, as above
     */
    public String cpuFeatures() {
        return CpuKernels.npukit_cpu_features().getString();
    }

    /**
     * The worker threads per kernel call.
     *
     * @return NPUKIT_NUM_THREADS, default: all cores
     */
    public int threads() {
        return CpuKernels.npukit_num_threads();
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

    @Override
    protected void runRmsNorm(RmsNormArgs a, RmsNormArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_rms_norm(nativeArgs.rmsNorm(a)));
    }

    @Override
    protected void runSiluMul(SiluMulArgs a, SiluMulArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_silu_mul(nativeArgs.siluMul(a)));
    }

    @Override
    protected void runEmbedding(EmbeddingArgs a, EmbeddingArgs.Shape s) {
        checkCpu(CpuKernels.npukit_cpu_embedding(nativeArgs.embedding(a)));
    }
}
