package dev.npukit.backend;

import dev.npukit.bridge.CpuColdKernels;
import dev.npukit.bridge.CpuKernels;
import dev.npukit.bridge.CpuModelKernels;
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
 * The optimized C++ backend (native/cpu) through the JavaCPP bridge: the production fallback on
 * hosts without an NPU. Tensors live in native memory. Multi-threaded inside each call
 * (NPUKIT_NUM_THREADS threads, default: all cores); SIMD paths are chosen at run time.
 */
public final class CpuBackend extends BaseBackend {
    public static final String NAME = "cpu";

    private CpuBackend() {
    }

    /** Values of NPUKIT_CPU_ISA, the cap on the instruction-set path (unset: the fastest there is). */
    public static final java.util.List<String> ISA_CAPS = java.util.List.of("baseline", "avx2", "avx512");

    /** Loads the native library; throws {@link BackendUnavailableException} saying why it cannot. */
    static CpuBackend load() {
        checkIsaCap(System.getenv("NPUKIT_CPU_ISA"));
        try {
            CpuKernels.load();
            CpuColdKernels.load();
            CpuModelKernels.load();
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

    /** Version of the native library. */
    public String version() {
        return CpuKernels.npukit_version().getString();
    }

    /**
     * The instruction-set path the kernels run: "avx512vl avx2 fma f16c" (attention on AVX-512VL,
     * the other kernels on AVX2), "avx2 fma f16c" or "baseline"; the fastest the processor has,
     * capped by NPUKIT_CPU_ISA ({@link #ISA_CAPS}).
     */
    public String cpuFeatures() {
        return CpuKernels.npukit_cpu_features().getString();
    }

    /**
     * The machine's memory read bandwidth in GB/s as the kernels see it: every worker thread
     * streams through {@code bytes} bytes of native memory (make it far larger than the caches).
     * The buffer is allocated {@code allocations} times, because where a large buffer lands can
     * change the rate (on the development VM: about 33 or about 53 GB/s, allocation by
     * allocation); each is read once to warm up and {@code reps} times timed. Returns the median
     * of all timed reads.
     */
    public double measureReadBandwidthGbPerS(long bytes, int allocations, int reps) {
        Check.arg(bytes >= 1 << 20, "bytes", "is %d, must be at least 1 MiB", bytes);
        Check.arg(allocations >= 1, "allocations", "is %d, must be at least 1", allocations);
        Check.arg(reps >= 1, "reps", "is %d, must be at least 1", reps);
        double[] gbPerS = new double[allocations * reps];
        for (int a = 0; a < allocations; a++) {
            try (Tensor buf = allocate(DType.I32, bytes / 4)) {
                fillDistinct(buf);
                long addr = addr(buf);
                CpuKernels.npukit_read_bandwidth_probe(addr, buf.byteSize());
                for (int i = 0; i < reps; i++) {
                    long t0 = System.nanoTime();
                    CpuKernels.npukit_read_bandwidth_probe(addr, buf.byteSize());
                    gbPerS[a * reps + i] = buf.byteSize() / (double) (System.nanoTime() - t0);
                }
            }
        }
        java.util.Arrays.sort(gbPerS);
        return gbPerS[gbPerS.length / 2];
    }

    /** Worker threads per kernel call (NPUKIT_NUM_THREADS, default: all cores). */
    public int threads() {
        return CpuKernels.npukit_num_threads();
    }

    /**
     * Fills an I32 tensor with values that differ from page to page. Zero-filled or repeating
     * pages can be deduplicated by the hypervisor and then read at cache speed, which would
     * overstate the memory bandwidth.
     */
    private static void fillDistinct(Tensor buf) {
        int[] chunk = new int[1 << 20];
        for (long off = 0; off < buf.numel(); off += chunk.length) {
            int n = (int) Math.min(chunk.length, buf.numel() - off);
            for (int i = 0; i < n; i++) {
                chunk[i] = (int) ((off + i) * 0x9E3779B97F4A7C15L >>> 32);
            }
            buf.writeInts(off, n == chunk.length ? chunk : java.util.Arrays.copyOf(chunk, n));
        }
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

    @Override
    protected void runContrastive(ContrastiveArgs a, ContrastiveArgs.Shape s) {
        LogitRows e = a.expert();
        LogitRows b = a.base();
        boolean topK = s.topK() > 0;
        try (LongPointer seeds = s.sampling() ? new LongPointer(a.seeds()) : null) {
            int status = CpuColdKernels.npukit_contrastive(
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
                throw new IllegalArgumentException(CpuKernels.npukit_last_error().getString());
            }
            check(status);
        }
    }

    @Override
    protected void runBgmvShrink(BgmvShrinkArgs a, BgmvShrinkArgs.Shape s) {
        check(CpuColdKernels.npukit_bgmv_shrink(
                addr(a.x()), a.x().dtype().code(), a.x().numel(),
                addr(a.a()), a.a().dtype().code(), a.a().numel(),
                addr(a.indices()), a.indices().numel(), addr(a.y()), a.y().numel(),
                s.batch(), s.hIn(), s.rank(), s.numLoras(), a.scale()));
    }

    @Override
    protected void runBgmvExpand(BgmvExpandArgs a, BgmvExpandArgs.Shape s) {
        check(CpuColdKernels.npukit_bgmv_expand(
                addr(a.v()), a.v().dtype().code(), a.v().numel(),
                addr(a.w()), a.w().dtype().code(), a.w().numel(),
                addr(a.indices()), a.indices().numel(),
                addr(a.y()), a.y().dtype().code(), a.y().numel(), s.yRow(), a.offset(),
                s.batch(), s.rank(), s.hOut(), s.numLoras()));
    }

    @Override
    protected void runMatmul(MatmulArgs a, MatmulArgs.Shape s) {
        check(CpuModelKernels.npukit_matmul(
                addr(a.x()), a.x().dtype().code(), a.x().numel(),
                addr(a.weight()), a.weight().dtype().code(), a.weight().numel(),
                addr(a.out()), a.out().numel(), s.m(), s.k(), s.n()));
    }

    /** Status code of a data error (NaN where forbidden), see npukit/common.h. */
    private static final int NPUKIT_ERR_DATA = 3;

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
