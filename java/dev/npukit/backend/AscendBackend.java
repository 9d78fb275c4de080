package dev.npukit.backend;

import static dev.npukit.internal.NativeStatus.checkAscend;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.bridge.NativeAbi;
import dev.npukit.internal.AscendStorage;
import dev.npukit.internal.BaseBackend;
import dev.npukit.internal.NativeArgs;
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
 * The Ascend backend: AscendC kernels (native/ascend/kernels) launched through the ACL runtime
 * by the host launchers (native/ascend/host), through the JavaCPP bridge. Tensors live in device
 * memory. In an emulator build ({@link #mode()} "emu") the same kernel and launcher sources run
 * on a CPU emulation of AscendC and ACL: results are those of the kernels, timings are not NPU
 * performance. The device is chosen by the environment variable NPUKIT_ASCEND_DEVICE (default 0).
 */
public final class AscendBackend extends BaseBackend {
    /** The name {@link Backends#get} takes: "ascend". */
    public static final String NAME = "ascend";

    private final String mode;
    private final String target;

    /** Marshals this backend's argument records into the native ABI's structs. */
    private final NativeArgs nativeArgs = new NativeArgs(AscendStorage::address, NativeArgs.DEVICE);

    private AscendBackend(String mode, String target) {
        this.mode = mode;
        this.target = target;
    }

    /** Loads the native library and opens the device; throws {@link BackendUnavailableException} saying why it cannot. */
    static AscendBackend load() {
        try {
            AscendKernels.load();
            NativeAbi.load();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new BackendUnavailableException("ascend backend unavailable: the native library did not load ("
                    + e.getMessage() + ")", e);
        }
        String mode = AscendKernels.npukit_ascend_mode().getString();
        if (mode.equals("off")) {
            throw new BackendUnavailableException("ascend backend unavailable: "
                    + AscendKernels.npukit_ascend_last_error().getString());
        }
        int device = deviceFromEnvironment();
        if (AscendKernels.npukit_ascend_init(device) != 0) {
            throw new BackendUnavailableException("ascend backend unavailable: no usable Ascend device " + device
                    + " (" + AscendKernels.npukit_ascend_last_error().getString() + ")");
        }
        return new AscendBackend(mode, AscendKernels.npukit_ascend_target().getString());
    }

    private static int deviceFromEnvironment() {
        String v = System.getenv("NPUKIT_ASCEND_DEVICE");
        if (v == null || v.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BackendUnavailableException("ascend backend unavailable: NPUKIT_ASCEND_DEVICE='" + v
                    + "' is not a device number", e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Where the kernels run.
     *
     * @return "emu" (the AscendC CPU emulator) or "npu" (a real device)
     */
    public String mode() {
        return mode;
    }

    @Override
    public BackendInfo info() {
        String what = mode.equals("emu")
                ? "AscendC kernels on the CPU emulator (" + target + "); correctness only, timings are not NPU "
                        + "performance"
                : "AscendC kernels on " + target;
        return new BackendInfo(NAME, true, what, mode);
    }

    @Override
    protected Storage newStorage(long bytes) {
        return new AscendStorage(bytes);
    }

    @Override
    protected void runPagedAttention(AttentionArgs a, AttentionShape s) {
        checkAscend(AscendKernels.npukit_ascend_paged_attention(nativeArgs.attention(a, s)));
    }

    @Override
    protected void runWriteKv(WriteKvArgs a, WriteKvArgs.Shape s) {
        if (s.numTokens() == 0) {
            // A validated empty call writes nothing; the launcher's 32-bit limit on a cache row
            // (numKvHeads * headDim) must not refuse it when the other backends accept it.
            return;
        }
        checkAscend(AscendKernels.npukit_ascend_write_kv(nativeArgs.writeKv(a)));
    }

    @Override
    protected void runRope(RopeArgs a, RopeArgs.Shape s) {
        checkAscend(AscendKernels.npukit_ascend_rope(nativeArgs.rope(a, s)));
    }

    @Override
    protected void runContrastive(ContrastiveArgs a, ContrastiveArgs.Shape s) {
        int status = AscendKernels.npukit_ascend_contrastive(nativeArgs.contrastive(a, s));
        if (status == NativeArgs.ERR_DATA) {
            // A NaN in a row: bad input data, reported like the reference does.
            throw new IllegalArgumentException(AscendKernels.npukit_ascend_last_error().getString());
        }
        checkAscend(status);
    }

    @Override
    protected void runBgmvShrink(BgmvShrinkArgs a, BgmvShrinkArgs.Shape s) {
        checkAscend(AscendKernels.npukit_ascend_bgmv_shrink(nativeArgs.bgmvShrink(a)));
    }

    @Override
    protected void runBgmvExpand(BgmvExpandArgs a, BgmvExpandArgs.Shape s) {
        checkAscend(AscendKernels.npukit_ascend_bgmv_expand(nativeArgs.bgmvExpand(a)));
    }

    @Override
    protected void runMatmul(MatmulArgs a, MatmulArgs.Shape s) {
        checkAscend(AscendKernels.npukit_ascend_matmul(nativeArgs.matmul(a)));
    }

    @Override
    protected void runRmsNorm(RmsNormArgs a, RmsNormArgs.Shape s) {
        checkAscend(AscendKernels.npukit_ascend_rms_norm(nativeArgs.rmsNorm(a)));
    }

    @Override
    protected void runSiluMul(SiluMulArgs a, SiluMulArgs.Shape s) {
        checkAscend(AscendKernels.npukit_ascend_silu_mul(nativeArgs.siluMul(a)));
    }

    @Override
    protected void runEmbedding(EmbeddingArgs a, EmbeddingArgs.Shape s) {
        checkAscend(AscendKernels.npukit_ascend_embedding(nativeArgs.embedding(a)));
    }
}
