package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.Backend;
import dev.npukit.bench.BandwidthModes;
import dev.npukit.bench.Quantile;
import dev.npukit.bench.ReadBandwidth;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code npukit bench attention}: paged attention over an F16 cache, classic (NONE, keys stored
 * rotated) against fused (NEOX, NoPE keys rotated in the kernel), in each asked-for cache layout
 * (NHD, HND). Decode mode: one query row per sequence, in GB/s of KV read and as a fraction of the
 * machine's measured read bandwidth. Prefill mode: causal blocks of query rows at the end of their
 * context, in GFLOP/s and as a fraction of an FMA peak probe timed in turns with the cases.
 */
@Command(name = "attention", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Times paged attention over an F16 cache, classic (keys stored rotated, rope NONE) against"
                + " fused (NoPE keys rotated in the kernel, NEOX).",
            "decode: one query row per sequence; reports GB/s of KV read and its ratio to the measured memory read"
                + " bandwidth (the median of 15 probe reads; where they fall into a slow and a fast mode of the"
                + " memory, both modes are named, and 'bench summary' splits runs by mode).",
            "prefill: --query-rows rows per sequence, the last positions of a --kv-lens context (causal); reports"
                + " GFLOP/s (4 x headDim x heads x visible slots per row) and its ratio to an FMA peak probe (the"
                + " attention kernel's instruction set on every worker thread) timed in turns with each shape's"
                + " cases. A"
                + " pair with more query rows than context slots is not measured (listed at the end). Unless"
                + " given, --warmup is 1 and --runs 3 in prefill mode: the defaults take 2 to 3 minutes on 2 cores"
                + " (about 1 TFLOP a call at 2048 rows x 32768 slots), twice that with --layout NHD,HND."}
)
final class BenchAttentionCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Label of every figure measured on the AscendC emulator. */
    static final String EMULATED = "measured on the AscendC CPU emulator (ascend backend, mode emu): "
            + "emulation time on this CPU, not NPU performance";

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to measure: reference, cpu or ascend. Default: the best available.")
    String backend;

    /** What is timed: one query row per sequence, or a causal block of rows. */
    enum Mode { decode, prefill }

    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "decode",
            description = "decode or prefill. Default: ${DEFAULT-VALUE}.")
    Mode mode;

    @Option(names = "--seqs", paramLabel = "N", split = ",",
            description = "Numbers of sequences, comma-separated. Default: 1,8,32 (decode), 1 (prefill).")
    int[] numSeqs;

    @Option(names = "--query-rows", paramLabel = "R", split = ",",
            description = "Prefill mode: query rows per sequence, comma-separated, each at most the largest --kv-lens."
                    + " Default: 16,64,256,2048.")
    int[] queryRows;

    @Option(names = "--kv-lens", paramLabel = "T", split = ",", defaultValue = "512,4096,32768",
            description = "KV lengths per sequence, comma-separated. Default: ${DEFAULT-VALUE}.")
    int[] kvLens;

    @Option(names = "--heads", paramLabel = "N", defaultValue = "32", description = "Query heads. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--kv-heads", paramLabel = "N", defaultValue = "8", description = "KV heads. Default: ${DEFAULT-VALUE}.")
    int kvHeads;

    @Option(names = "--head-dim", paramLabel = "D", defaultValue = "128", description = "Head dimension. Default: ${DEFAULT-VALUE}.")
    int headDim;

    @Option(names = "--block-size", paramLabel = "T", defaultValue = "16", description = "KV block size. Default: ${DEFAULT-VALUE}.")
    int blockSize;

    @Option(names = "--layout", paramLabel = "L", split = ",", defaultValue = "NHD",
            description = "KV cache layouts, comma-separated: NHD [blocks, slots, heads, dim], HND [blocks, heads, slots,"
                    + " dim]. Several are timed in turns on the same memory. Default: ${DEFAULT-VALUE}.")
    KvLayout[] layouts;

    @CommandLine.Mixin
    TimingOptions timing = TimingOptions.defaults(2, 7);

    /** Prefill's warm-up and runs unless given: a case at 2048 rows x 32768 slots is about 1 TFLOP. */
    static final int PREFILL_WARMUP = 1;
    static final int PREFILL_RUNS = 3;

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        boolean prefill = mode == Mode.prefill;
        if (numSeqs == null) {
            numSeqs = prefill ? new int[] {1} : new int[] {1, 8, 32};
        }
        OptionChecks.positive(spec, "--seqs", numSeqs);
        OptionChecks.positive(spec, "--kv-lens", kvLens);
        if (queryRows != null && !prefill) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--query-rows: only with --mode prefill");
        }
        if (queryRows == null) {
            queryRows = new int[] {16, 64, 256, 2048};
        }
        OptionChecks.positive(spec, "--query-rows", queryRows);
        if (prefill) {
            for (int rows : queryRows) {
                if (rows > max(kvLens)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--query-rows: " + rows
                            + " exceeds every --kv-lens value (at most " + max(kvLens) + " rows fit a context)");
                }
            }
        }
        OptionChecks.positive(spec, "--heads", heads);
        OptionChecks.positive(spec, "--kv-heads", kvHeads);
        if (heads % kvHeads != 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--heads: must be a multiple of --kv-heads (" + kvHeads + "), got " + heads);
        }
        OptionChecks.positive(spec, "--head-dim", headDim);
        if (headDim % 2 != 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--head-dim: must be even (NEOX rotates pairs of the whole head), got " + headDim);
        }
        OptionChecks.positive(spec, "--block-size", blockSize);
        timing.check(spec, 0);
        if (prefill) {
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            if (!parsed.hasMatchedOption("--warmup")) {
                timing.warmup = PREFILL_WARMUP;
            }
            if (!parsed.hasMatchedOption("--runs")) {
                timing.runs = PREFILL_RUNS;
            }
        }
        int warmup = timing.warmup;
        int runs = timing.runs;
        Backend b = BackendText.select(spec, "--backend", backend);
        if (java.util.Arrays.stream(layouts).distinct().count() != layouts.length) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--layout: a layout is named twice");
        }
        if (prefill) {
            return new PrefillBench(this, b).run();
        }
        Progress progress = new Progress(spec.commandLine().getErr());
        progress.say("measuring memory read bandwidth");
        double[] probeReads = ReadBandwidth.samplesGbPerS(512L << 20, 5, 3);
        double bandwidth = Quantile.median(probeReads);
        List<BandwidthModes.Mode> modes = BandwidthModes.of(probeReads, 2);

        int maxSeqs = max(numSeqs);
        int maxLen = max(kvLens);
        int blocksPerSeq = (maxLen + blockSize - 1) / blockSize;
        long numBlocks = (long) maxSeqs * blocksPerSeq;
        progress.say(String.format("allocating a %.1f GB F16 KV cache", 2.0 * numBlocks * blockSize * kvHeads * headDim
                * 2 / 1e9));
        List<Map<String, Object>> cases = new ArrayList<>();
        try (Tensor k = b.allocate(DType.F16, numBlocks, blockSize, kvHeads, headDim);
                Tensor v = b.allocate(DType.F16, numBlocks, blockSize, kvHeads, headDim);
                Tensor cosSin = b.fromFloats(DType.F32, RopeTables.cosSin(maxLen, headDim, 10000.0), maxLen, headDim)) {
            fillRandom(k, 1);
            fillRandom(v, 2);
            // Blocks are handed out in shuffled order, as a paged cache scatters them.
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < numBlocks; i++) {
                ids.add(i);
            }
            Collections.shuffle(ids, new Random(5));
            for (int seqs : numSeqs) {
                for (int len : kvLens) {
                    progress.say(String.format("NONE and NEOX, seqs=%d kvLen=%d", seqs, len));
                    cases.addAll(runShape(b, k, v, cosSin, ids, seqs, len, blocksPerSeq, bandwidth));
                }
            }
        }
        progress.done();

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("mode", "decode");
        boolean emulated = BackendText.putReportHead(report, b);
        report.put("readBandwidthGbPerS", round(bandwidth, 2));
        report.put("readBandwidthModes", modes.stream().map(BenchAttentionCommand::modeReport).toList());
        report.put("heads", heads);
        report.put("kvHeads", kvHeads);
        report.put("headDim", headDim);
        report.put("blockSize", blockSize);
        report.put("cacheDtype", "F16");
        report.put("layouts", java.util.Arrays.stream(layouts).map(KvLayout::name).toList());
        report.put("warmup", warmup);
        report.put("runs", runs);
        report.put("cases", cases);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            out.flush();
            return 0;
        }
        out.printf("decode attention on %s: %d heads / %d KV heads, headDim %d, F16 cache, block %d%n",
                b.name(), heads, kvHeads, headDim, blockSize);
        out.printf("machine: %s; measured read bandwidth %.1f GB/s%n", Machine.describe(), bandwidth);
        if (modes.size() > 1) {
            out.printf("the probe read in two modes: slow %.1f GB/s (%d reads), fast %.1f GB/s (%d reads); the ratios"
                    + " below are to the median of all %d reads%n", modes.get(0).medianGbPerS(), modes.get(0).count(),
                    modes.get(1).medianGbPerS(), modes.get(1).count(), probeReads.length);
        }
        out.println();
        if (emulated) {
            out.printf("NOTE: %s%n%n", EMULATED);
        }
        TextTable t = new TextTable("layout", "rope", "seqs", "kvLen", "median ms", "GB/s", "of bandwidth",
                "NEOX / NONE");
        Map<String, Double> noneMs = new LinkedHashMap<>();
        for (Map<String, Object> c : cases) {
            String key = c.get("layout") + "/" + c.get("numSeqs") + "/" + c.get("kvLen");
            double ms = (Double) c.get("medianMs");
            String ratio = "";
            if (c.get("ropeStyle").equals("NONE")) {
                noneMs.put(key, ms);
            } else {
                ratio = String.format("%.2fx", ms / noneMs.get(key));
            }
            t.row(c.get("layout"), c.get("ropeStyle"), c.get("numSeqs"), c.get("kvLen"), String.format("%.3f", ms),
                    String.format("%.1f", (Double) c.get("gbPerS")),
                    String.format("%.0f%%", 100 * (Double) c.get("bandwidthRatio")), ratio);
        }
        t.print(out);
        out.println();
        out.println("median ms: median time of one call; GB/s = K and V cache bytes the call reads, over that time;"
                + " of bandwidth = that rate / the measured read bandwidth (above 100% when the cache fits in the CPU"
                + " caches); NEOX / NONE = fused time / classic time on the same shape and layout (below 1x: fused is"
                + " faster).");
        out.flush();
        return 0;
    }

    /** A mode of the probe's reads, for the JSON report. */
    static Map<String, Object> modeReport(BandwidthModes.Mode m) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mode", m.name());
        d.put("gbPerS", round(m.medianGbPerS(), 2));
        d.put("minGbPerS", round(m.minGbPerS(), 2));
        d.put("maxGbPerS", round(m.maxGbPerS(), 2));
        d.put("reads", m.count());
        return d;
    }

    /**
     * One shape, NONE and NEOX in every layout timed in turns (same memory, same queries: {@link
     * AttentionBenchCalls}), so their ratios are fair.
     */
    private List<Map<String, Object>> runShape(Backend b, Tensor k, Tensor v, Tensor cosSin, List<Integer> ids,
            int seqs, int len, int blocksPerSeq, double bandwidth) {
        RopeStyle[] styles = {RopeStyle.NONE, RopeStyle.NEOX};
        try (AttentionBenchCalls shape = new AttentionBenchCalls(b, k, v, cosSin, ids, seqs, 1, len, blocksPerSeq,
                heads, kvHeads, headDim, blockSize, layouts, styles, len)) {
            return describe(BenchStats.measureInterleaved(timing.warmup, timing.runs, shape.calls()), styles, seqs, len,
                    bandwidth);
        }
    }

    /** The cases of one shape, layout by layout, NONE then NEOX. */
    private List<Map<String, Object>> describe(BenchStats[] stats, RopeStyle[] styles, int seqs, int len,
            double bandwidth) {
        double kvBytes = 2.0 * seqs * len * kvHeads * headDim * 2;
        List<Map<String, Object>> all = new ArrayList<>();
        for (int l = 0; l < layouts.length; l++) {
            for (int i = 0; i < styles.length; i++) {
                BenchStats st = stats[l * styles.length + i];
                double gbPerS = kvBytes / (st.medianMs() * 1e6);
                Map<String, Object> c = new LinkedHashMap<>();
                c.put("mode", "decode");
                c.put("layout", layouts[l].name());
                c.put("ropeStyle", styles[i].name());
                c.put("numSeqs", seqs);
                c.put("kvLen", len);
                c.put("medianMs", round(st.medianMs(), 4));
                c.put("minMs", round(st.minMs(), 4));
                c.put("maxMs", round(st.maxMs(), 4));
                c.put("gbPerS", round(gbPerS, 2));
                c.put("bandwidthRatio", round(gbPerS / bandwidth, 3));
                all.add(c);
            }
        }
        return all;
    }

    /**
     * Fills an F16 tensor with Gaussian values, a slice at a time (it can be larger than a Java
     * array). Each slice flips different low mantissa bits, so no two pages are equal: a
     * hypervisor that merges equal pages would otherwise serve the cache from a few pages.
     */
    static void fillRandom(Tensor t, long seed) {
        Random r = new Random(seed);
        short[] pattern = new short[1 << 20];
        for (int i = 0; i < pattern.length; i++) {
            pattern[i] = HalfFloats.floatToF16((float) r.nextGaussian());
        }
        short[] slice = new short[pattern.length];
        for (long off = 0, k = 0; off < t.numel(); off += pattern.length, k++) {
            int n = (int) Math.min(pattern.length, t.numel() - off);
            for (int i = 0; i < n; i++) {
                slice[i] = (short) (pattern[i] ^ ((k * 31 + i) & 0x3ff));
            }
            try (Tensor part = t.view(off, n)) {
                part.copyFromBits(n == slice.length ? slice : java.util.Arrays.copyOf(slice, n));
            }
        }
    }

    static int max(int[] a) {
        int m = 0;
        for (int x : a) {
            m = Math.max(m, x);
        }
        return m;
    }

    static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }
}
