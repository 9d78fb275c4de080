package dev.npukit.backend;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.Check;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Storage;
import dev.npukit.tensor.Tensor;
import org.bytedeco.javacpp.LongPointer;

/**
 * The Ascend backend: AscendC kernels (native/ascend/kernels) launched through the ACL runtime
 * by the host launchers (native/ascend/host), through the JavaCPP bridge. Tensors live in device
 * memory. In an emulator build ({@link #mode()} "emu") the same kernel and launcher sources run
 * on a CPU emulation of AscendC and ACL: results are those of the kernels, timings are not NPU
 * performance. The device is chosen by the environment variable NPUKIT_ASCEND_DEVICE (default 0).
 */
public final class AscendBackend extends BaseBackend {
    public static final String NAME = "ascend";

    private final String mode;
    private final String target;

    private AscendBackend(String mode, String target) {
        this.mode = mode;
        this.target = target;
    }

    /** Loads the native library and opens the device; throws {@link BackendUnavailableException} saying why it cannot. */
    static AscendBackend load() {
        try {
            AscendKernels.load();
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

    /** "emu" (AscendC CPU emulator) or "npu" (a real device). */
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
        Tensor cs = a.cosSin();
        boolean rope = s.rotaryDim() > 0;
        check(AscendKernels.npukit_ascend_paged_attention(
                addr(a.q()), a.q().dtype().code(), a.q().numel(),
                addr(a.kCache()), addr(a.vCache()), a.kCache().dtype().code(), a.kCache().numel(),
                addr(a.blockTables()), a.blockTables().numel(),
                addr(a.seqLens()), addr(a.queryStartLoc()), s.numSeqs(),
                rope ? addr(cs) : 0L, rope ? cs.numel() : 0L,
                addr(a.out()), a.out().dtype().code(), a.out().numel(),
                s.numTokens(), s.numHeads(), s.numKvHeads(), s.headDim(),
                s.numBlocks(), s.blockSize(), s.maxBlocksPerSeq(),
                a.ropeStyle().code(), s.rotaryDim(), s.scale()));
    }

    @Override
    protected void runWriteKv(WriteKvArgs a, WriteKvArgs.Shape s) {
        check(AscendKernels.npukit_ascend_write_kv(
                addr(a.key()), a.key().dtype().code(), addr(a.value()), a.value().dtype().code(), a.key().numel(),
                addr(a.kCache()), addr(a.vCache()), a.kCache().dtype().code(), a.kCache().numel(),
                addr(a.slotMapping()), s.numTokens(), s.numKvHeads(), s.headDim(), s.numBlocks(), s.blockSize()));
    }

    @Override
    protected void runRope(RopeArgs a, RopeArgs.Shape s) {
        check(AscendKernels.npukit_ascend_rope(
                addr(a.x()), a.x().dtype().code(), a.x().numel(), addr(a.positions()),
                addr(a.cosSin()), a.cosSin().numel(),
                s.numTokens(), s.numHeads(), s.headDim(), s.rotaryDim(), a.style().code()));
    }

    @Override
    protected void runContrastive(ContrastiveArgs a, ContrastiveArgs.Shape s) {
        LogitRows e = a.expert();
        LogitRows b = a.base();
        boolean topK = s.topK() > 0;
        try (LongPointer seeds = s.sampling() ? new LongPointer(a.seeds()) : null) {
            int status = AscendKernels.npukit_ascend_contrastive(
                    addr(e.logits()), e.logits().numel(), e.firstRow(), e.rowStride(),
                    addr(b.logits()), b.logits().numel(), b.firstRow(), b.rowStride(),
                    e.logits().dtype().code(), s.batch(), s.vocab(), s.lnAlpha(), a.beta(),
                    addr(a.token()), a.token().numel(), addr(a.score()), a.score().numel(),
                    addr(a.validCount()), a.validCount().numel(),
                    s.topK(), topK ? addr(a.topkIndices()) : 0L, topK ? addr(a.topkScores()) : 0L,
                    topK ? a.topkIndices().numel() : 0L,
                    a.temperature(), seeds == null ? 0L : seeds.address(), s.sampling() ? a.seeds().length : 0L);
            if (status == NPUKIT_ERR_DATA) {
                // A NaN in a row: bad input data, reported like the reference does.
                throw new IllegalArgumentException(AscendKernels.npukit_ascend_last_error().getString());
            }
            check(status);
        }
    }

    @Override
    protected void runBgmvShrink(BgmvShrinkArgs a, BgmvShrinkArgs.Shape s) {
        check(AscendKernels.npukit_ascend_bgmv_shrink(
                addr(a.x()), a.x().dtype().code(), a.x().numel(),
                addr(a.a()), a.a().dtype().code(), a.a().numel(),
                addr(a.indices()), a.indices().numel(), addr(a.y()), a.y().numel(),
                s.batch(), s.hIn(), s.rank(), s.numLoras(), a.scale()));
    }

    @Override
    protected void runBgmvExpand(BgmvExpandArgs a, BgmvExpandArgs.Shape s) {
        check(AscendKernels.npukit_ascend_bgmv_expand(
                addr(a.v()), a.v().dtype().code(), a.v().numel(),
                addr(a.w()), a.w().dtype().code(), a.w().numel(),
                addr(a.indices()), a.indices().numel(),
                addr(a.y()), a.y().dtype().code(), a.y().numel(), s.yRow(), a.offset(),
                s.batch(), s.rank(), s.hOut(), s.numLoras()));
    }

    @Override
    protected void runMatmul(MatmulArgs a, MatmulArgs.Shape s) {
        check(AscendKernels.npukit_ascend_matmul(addr(a.x()), a.x().dtype().code(), a.x().numel(),
                addr(a.weight()), a.weight().dtype().code(), a.weight().numel(), addr(a.out()), a.out().numel(),
                s.m(), s.n(), s.k()));
    }

    /** Status code of a data error (NaN where forbidden), see npukit/common.h. */
    private static final int NPUKIT_ERR_DATA = 3;

    /** Device address of a validated tensor's first element. */
    static long addr(Tensor t) {
        return ((AscendStorage) t.storage()).address() + t.byteOffset();
    }

    /** Turns a native status code into an exception carrying the native message (with the ACL call and code). */
    static void check(int status) {
        if (status != 0) {
            throw new NpukitException("ascend kernel failed (status " + status + "): "
                    + AscendKernels.npukit_ascend_last_error().getString());
        }
    }
}
