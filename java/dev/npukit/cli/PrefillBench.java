package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.Backend;
import dev.npukit.bench.FmaPeak;
import dev.npukit.bench.Quantile;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code npukit bench attention --mode prefill}: per shape (sequences, query rows, context), NONE
 * and NEOX in every layout and the FMA peak probe, timed in turns on the same memory. The query
 * rows of a sequence are the last positions of its context, so row i sees
 * {@code kvLen - queryRows + i + 1} slots.
 */
final class PrefillBench {
    /** Target time of one FMA probe call; a shape's turn runs it as often as its cases take, up to 2 s. */
    private static final int PROBE_MILLIS = 50;
    private static final int MAX_PROBE_CALLS = 40;

    private final BenchAttentionCommand c;
    private final Backend b;
    private final List<Double> probeGflops = new ArrayList<>();
    private double peakEstimate;

    PrefillBench(BenchAttentionCommand command, Backend backend) {
        this.c = command;
        this.b = backend;
    }

    /** Floating-point operations of one call: QK^T and PV, 2 per multiply-add, over the visible slots. */
    static double flops(int seqs, int rows, int len, int heads, int headDim) {
        double visible = (double) rows * (len - rows) + (double) rows * (rows + 1) / 2;
        return 4.0 * headDim * heads * seqs * visible;
    }

    int run() throws Exception {
        Progress progress = new Progress(c.spec.commandLine().getErr());
        progress.say("sizing the FMA peak probe (" + FmaPeak.isa() + ")");
        FmaPeak.Probe probe = new FmaPeak.Probe(PROBE_MILLIS);
        peakEstimate = probe.sizingGflops();

        int maxSeqs = BenchAttentionCommand.max(c.numSeqs);
        int maxLen = BenchAttentionCommand.max(c.kvLens);
        int blocksPerSeq = (maxLen + c.blockSize - 1) / c.blockSize;
        long numBlocks = (long) maxSeqs * blocksPerSeq;
        progress.say(String.format("allocating a %.1f GB F16 KV cache",
                2.0 * numBlocks * c.blockSize * c.kvHeads * c.headDim * 2 / 1e9));
        List<Map<String, Object>> cases = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (Tensor k = b.allocate(DType.F16, numBlocks, c.blockSize, c.kvHeads, c.headDim);
                Tensor v = b.allocate(DType.F16, numBlocks, c.blockSize, c.kvHeads, c.headDim);
                Tensor cosSin = b.fromFloats(DType.F32, RopeTables.cosSin(maxLen, c.headDim, 10000.0), maxLen,
                        c.headDim)) {
            BenchAttentionCommand.fillRandom(k, 1);
            BenchAttentionCommand.fillRandom(v, 2);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < numBlocks; i++) {
                ids.add(i);
            }
            Collections.shuffle(ids, new Random(5));
            for (int seqs : c.numSeqs) {
                for (int rows : c.queryRows) {
                    for (int len : c.kvLens) {
                        if (rows > len) {
                            skipped.add(String.format("seqs=%d queryRows=%d kvLen=%d", seqs, rows, len));
                            progress.say(String.format("skipping queryRows=%d kvLen=%d: more rows than slots", rows,
                                    len));
                            continue;
                        }
                        progress.say(String.format("NONE and NEOX, seqs=%d queryRows=%d kvLen=%d (%.1f GFLOP a call)",
                                seqs, rows, len, flops(seqs, rows, len, c.heads, c.headDim) / 1e9));
                        cases.addAll(runShape(k, v, cosSin, ids, seqs, rows, len, blocksPerSeq, probe));
                    }
                }
            }
        }
        progress.done();
        double[] sorted = probeGflops.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double peak = sorted.length == 0 ? 0 : Quantile.median(sorted);
        return report(cases, skipped, peak);
    }

    private int report(List<Map<String, Object>> cases, List<String> skipped, double peak) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("mode", "prefill");
        boolean emulated = BackendText.putReportHead(report, b);
        report.put("peakGflops", BenchAttentionCommand.round(peak, 2));
        report.put("peakIsa", FmaPeak.isa());
        report.put("heads", c.heads);
        report.put("kvHeads", c.kvHeads);
        report.put("headDim", c.headDim);
        report.put("blockSize", c.blockSize);
        report.put("cacheDtype", "F16");
        report.put("layouts", Arrays.stream(c.layouts).map(KvLayout::name).toList());
        report.put("warmup", c.timing.warmup);
        report.put("runs", c.timing.runs);
        report.put("cases", cases);
        report.put("skipped", skipped);
        PrintWriter out = c.spec.commandLine().getOut();
        if (c.output.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            out.flush();
            return 0;
        }
        out.printf("prefill attention on %s: %d heads / %d KV heads, headDim %d, F16 cache, block %d, causal%n",
                b.name(), c.heads, c.kvHeads, c.headDim, c.blockSize);
        out.printf("machine: %s; FMA peak probe %.1f GFLOP/s (median over the shapes) with %s%n%n", Machine.describe(),
                peak, FmaPeak.isa());
        if (emulated) {
            out.printf("NOTE: %s%n%n", BenchAttentionCommand.EMULATED);
        }
        TextTable t = new TextTable("layout", "rope", "seqs", "queryRows", "kvLen", "median ms", "GFLOP/s",
                "of peak", "NEOX / NONE");
        Map<String, Double> noneMs = new LinkedHashMap<>();
        for (Map<String, Object> m : cases) {
            String key = m.get("layout") + "/" + m.get("numSeqs") + "/" + m.get("queryRows") + "/" + m.get("kvLen");
            double ms = (Double) m.get("medianMs");
            String ratio = "";
            if (m.get("ropeStyle").equals("NONE")) {
                noneMs.put(key, ms);
            } else {
                ratio = String.format("%.2fx", ms / noneMs.get(key));
            }
            t.row(m.get("layout"), m.get("ropeStyle"), m.get("numSeqs"), m.get("queryRows"), m.get("kvLen"),
                    String.format("%.2f", ms), String.format("%.1f", (Double) m.get("gflops")),
                    String.format("%.0f%%", 100 * (Double) m.get("peakRatio")), ratio);
        }
        t.print(out);
        out.println();
        out.println("GFLOP/s = 4 x headDim x heads x (slots each query row sees) over the median time of one call;"
                + " of peak = that rate / the FMA peak probe's rate timed in turns with the shape's cases;"
                + " NEOX / NONE ="
                + " fused time / classic time on the same shape and layout.");
        if (!skipped.isEmpty()) {
            out.println("not measured (more query rows than context slots): " + String.join(", ", skipped));
        }
        out.flush();
        return 0;
    }

    /** One shape: NONE and NEOX in every layout, and the FMA probe, timed in turns. */
    private List<Map<String, Object>> runShape(Tensor k, Tensor v, Tensor cosSin, List<Integer> ids, int seqs,
            int rows, int len, int blocksPerSeq, FmaPeak.Probe probe) {
        RopeStyle[] styles = {RopeStyle.NONE, RopeStyle.NEOX};
        try (AttentionBenchCalls shape = new AttentionBenchCalls(b, k, v, cosSin, ids, seqs, rows, len, blocksPerSeq,
                c.heads, c.kvHeads, c.headDim, c.blockSize, c.layouts, styles, len * 31L + rows)) {
            Runnable[] calls = Arrays.copyOf(shape.calls(), c.layouts.length * styles.length + 1);
            // The probe's turn lasts about as long as a case's (at half the last peak), so that
            // both sample the machine's load over similar spans.
            double caseMs = flops(seqs, rows, len, c.heads, c.headDim) / (0.5 * peakEstimate * 1e6);
            int probeCalls = (int) Math.max(1, Math.min(MAX_PROBE_CALLS, Math.round(caseMs / PROBE_MILLIS)));
            calls[calls.length - 1] = () -> {
                for (int i = 0; i < probeCalls; i++) {
                    probe.run();
                }
            };
            BenchStats[] stats = BenchStats.measureInterleaved(c.timing.warmup, c.timing.runs, calls);
            double probeMs = stats[calls.length - 1].medianMs();
            double shapePeak = probeCalls * (double) probe.flopsPerCall() / (probeMs * 1e6);
            probeGflops.add(shapePeak);
            peakEstimate = shapePeak;
            return describe(stats, styles, seqs, rows, len, shapePeak);
        }
    }

    /** The cases of one shape, layout by layout, NONE then NEOX, against the probe's rate in their turns. */
    private List<Map<String, Object>> describe(BenchStats[] stats, RopeStyle[] styles, int seqs, int rows, int len,
            double shapePeak) {
        double flops = flops(seqs, rows, len, c.heads, c.headDim);
        List<Map<String, Object>> all = new ArrayList<>();
        for (int l = 0; l < c.layouts.length; l++) {
            for (int i = 0; i < styles.length; i++) {
                BenchStats st = stats[l * styles.length + i];
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mode", "prefill");
                m.put("layout", c.layouts[l].name());
                m.put("ropeStyle", styles[i].name());
                m.put("numSeqs", seqs);
                m.put("queryRows", rows);
                m.put("kvLen", len);
                m.put("medianMs", BenchAttentionCommand.round(st.medianMs(), 4));
                m.put("minMs", BenchAttentionCommand.round(st.minMs(), 4));
                m.put("maxMs", BenchAttentionCommand.round(st.maxMs(), 4));
                double gflops = flops / (st.medianMs() * 1e6);
                m.put("gflops", BenchAttentionCommand.round(gflops, 2));
                m.put("peakRatio", BenchAttentionCommand.round(gflops / shapePeak, 3));
                m.put("probeGflops", BenchAttentionCommand.round(shapePeak, 2));
                all.add(m);
            }
        }
        return all;
    }
}
