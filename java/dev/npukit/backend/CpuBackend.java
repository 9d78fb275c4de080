package dev.npukit.backend;

import dev.npukit.bridge.CpuKernels;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.Storage;
import dev.npukit.tensor.Tensor;

/**
 * The optimized C++ backend (native/cpu) through the JavaCPP bridge: the production fallback on
 * hosts without an NPU. Tensors live in native memory. Multi-threaded inside each call
 * (NPUKIT_NUM_THREADS threads, default: all cores); SIMD paths are chosen at run time.
 */
public final class CpuBackend extends BaseBackend {
    public static final String NAME = "cpu";

    private CpuBackend() {
    }

    /** Loads the native library; throws {@link BackendUnavailableException} saying why it cannot. */
    static CpuBackend load() {
        try {
            CpuKernels.load();
            return new CpuBackend();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new BackendUnavailableException("cpu backend unavailable: the native library did not load ("
                    + e.getMessage() + "); it is built by 'mvn package' for "
                    + System.getProperty("os.name") + "/" + System.getProperty("os.arch"), e);
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendInfo info() {
        return new BackendInfo(NAME, true, "native C++ kernels " + version() + ", " + cpuFeatures() + ", "
                + CpuKernels.npukit_num_threads() + " threads", "native");
    }

    /** Version of the native library. */
    public String version() {
        return CpuKernels.npukit_version().getString();
    }

    /** The instruction-set path the kernels run ("avx2 fma f16c" or "baseline"). */
    public String cpuFeatures() {
        return CpuKernels.npukit_cpu_features().getString();
    }

    @Override
    protected Storage newStorage(long bytes) {
        return new NativeStorage(bytes);
    }

    @Override
    protected void runPagedAttention(AttentionArgs a, AttentionShape s) {
        Tensor cs = a.cosSin();
        boolean rope = s.rotaryDim() > 0;
        check(CpuKernels.npukit_paged_attention(
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
        check(CpuKernels.npukit_write_kv(
                addr(a.key()), a.key().dtype().code(), addr(a.value()), a.value().dtype().code(), a.key().numel(),
                addr(a.kCache()), addr(a.vCache()), a.kCache().dtype().code(), a.kCache().numel(),
                addr(a.slotMapping()), s.numTokens(), s.numKvHeads(), s.headDim(), s.numBlocks(), s.blockSize()));
    }

    @Override
    protected void runRope(RopeArgs a, RopeArgs.Shape s) {
        check(CpuKernels.npukit_rope(
                addr(a.x()), a.x().dtype().code(), a.x().numel(), addr(a.positions()),
                addr(a.cosSin()), a.cosSin().numel(),
                s.numTokens(), s.numHeads(), s.headDim(), s.rotaryDim(), a.style().code()));
    }

    /** Native address of a validated tensor's first element. */
    static long addr(Tensor t) {
        return ((NativeStorage) t.storage()).address() + t.byteOffset();
    }

    /** Turns a native status code into an exception carrying the native message. */
    static void check(int status) {
        if (status != 0) {
            throw new NpukitException("native kernel failed (status " + status + "): "
                    + CpuKernels.npukit_last_error().getString());
        }
    }
}
