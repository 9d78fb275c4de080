package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.AscendBackend;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.bridge.AscendKernels;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code npukit bench ascend}: each Ascend kernel family at a few standard shapes, run once on the
 * AscendC emulator, reported with the call's counters (global-memory bytes, vector repeats,
 * scalar accesses, also per input element, barriers, the workspace bytes the model serves from the L2) and the time
 * the Atlas A2 cost model gives them beside the HBM-read bound (bytes / 1.6 TB/s). A model, not a measurement: native/ascend/host/cost_model.h and
 * native/ascend/README.md ("Cost model") give its formula and each constant's source. The counts
 * are deterministic, so one run per shape; the emulator's own time says nothing about an NPU and
 * is not reported.
 */
@Command(name = "ascend", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Modelled Atlas A2 time of each Ascend kernel family at standard shapes, from the AscendC"
                + " emulator's counters (a cost model, not a measurement; needs an emulator build).")
final class BenchAscendCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--family", split = ",", paramLabel = "NAME", defaultValue = "attention,contrastive,bgmv,matmul,elementwise",
            description = "Kernel families, comma-separated: attention, contrastive, bgmv, matmul, elementwise (RMS norm,"
                    + " SiLU and multiply, embedding). Default: ${DEFAULT-VALUE}.")
    List<String> families;

    @CommandLine.Mixin
    JsonOption output;

    private PrintWriter out;
    private final List<Map<String, Object>> rows = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        for (String f : families) {
            if (!List.of("attention", "contrastive", "bgmv", "matmul", "elementwise").contains(f)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--family: attention, contrastive, bgmv, matmul or elementwise, got '" + f + "'");
            }
        }
        Backend b = Backends.get("ascend");
        if (!(b instanceof AscendBackend ascend) || !"emu".equals(ascend.mode())) {
            spec.commandLine().getErr().println("npukit bench ascend: needs the AscendC emulator build (the ascend"
                    + " backend in mode emu); this build's ascend backend: " + b.info());
            return 2;
        }
        out = spec.commandLine().getOut();
        Progress progress = new Progress(spec.commandLine().getErr());
        if (!output.json) {
            out.printf("Atlas A2 (910B1) cost model over the AscendC emulator's counters: a model, not a measurement%n%n");
            out.printf("%-18s %-34s %12s %12s %10s %10s %8s %9s %11s %11s %6s%n", "kernel", "shape", "gmBytes", "l2Bytes",
                    "vecRepeats", "scalar", "scal/el", "barriers", "modelledUs", "hbmBoundUs", "ratio");
        }
        if (families.contains("attention")) {
            for (int kvLen : new int[] {1024, 4096}) {
                for (KvLayout layout : KvLayout.values()) {
                    for (RopeStyle style : new RopeStyle[] {RopeStyle.NEOX, RopeStyle.NONE}) {
                        progress.say("attention decode, 8 sequences of " + kvLen + ", " + layout + " cache, " + style);
                        attention(b, 8, kvLen, 32, 8, 128, 16, layout, style);
                    }
                }
            }
        }
        if (families.contains("contrastive")) {
            for (int[] bv : new int[][] {{8, 32000}, {64, 32000}, {256, 32000}, {8, 151936}}) {
                progress.say("contrastive B=" + bv[0] + " vocab=" + bv[1]);
                contrastive(b, bv[0], bv[1]);
            }
        }
        if (families.contains("bgmv")) {
            for (int[] s : new int[][] {{8, 1024, 8, 4}, {64, 4096, 16, 8}}) {
                progress.say("bgmv B=" + s[0] + " hidden=" + s[1] + " rank=" + s[2]);
                bgmv(b, s[0], s[1], s[2], s[3]);
            }
        }
        if (families.contains("matmul")) {
            progress.say("matmul 8 x 4096 x 1024");
            matmul(b, 8, 4096, 1024);
        }
        if (families.contains("elementwise")) {
            progress.say("rms norm, silu-mul and embedding, 8 rows of a 4096-wide model");
            elementwise(b, 8, 4096, 14336, 1024);
        }
        if (output.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("backend", b.info().toString());
            report.put("model", "Atlas A2 910B1: 48 vector and 24 cube cores at 1850 MHz, HBM 1.6 TB/s, 192 MB L2 for declared"
                    + " workspaces (native/ascend/README.md)");
            report.put("kernels", rows);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            out.println();
            out.println("gmBytes: global memory moved by MTE2, MTE3 and Fixpipe; l2Bytes: those of them in the launches'"
                    + " workspaces, which the model serves from the L2; scalar: scalar GM and UB accesses; scal/el:"
                    + " scalar accesses per input element (KV element, logit, weight or activation); ratio ="
                    + " modelledUs / hbmBoundUs.");
        }
        out.flush();
        return 0;
    }

    private void attention(Backend b, int seqs, int kvLen, int heads, int kvHeads, int headDim, int blockSize,
            KvLayout layout, RopeStyle style) {
        int blocksPerSeq = (kvLen + blockSize - 1) / blockSize;
        int[] table = new int[seqs * blocksPerSeq];
        for (int i = 0; i < table.length; i++) {
            table[i] = i;
        }
        int[] lens = new int[seqs];
        int[] starts = new int[seqs + 1];
        for (int s = 0; s < seqs; s++) {
            lens[s] = kvLen;
            starts[s + 1] = s + 1;
        }
        SplittableRandom r = new SplittableRandom(kvLen);
        long[] cacheShape = layout.shape(table.length, blockSize, kvHeads, headDim);
        try (Tensor k = random(b, r, DType.F16, cacheShape);
                Tensor v = random(b, r, DType.F16, cacheShape);
                Tensor cosSin = b.fromFloats(DType.F32, RopeTables.cosSin(kvLen, headDim, 10000.0), kvLen, headDim);
                Tensor q = random(b, r, DType.F32, seqs, heads, headDim);
                Tensor out = b.allocate(DType.F32, seqs, heads, headDim);
                Tensor tables = b.fromInts(table, seqs, blocksPerSeq);
                Tensor seqLens = b.fromInts(lens, seqs);
                Tensor queryStart = b.fromInts(starts, seqs + 1)) {
            b.pagedAttention(AttentionArgs.builder().q(q).kvCache(k, v).kvLayout(layout).blockTables(tables)
                    .seqLens(seqLens).queryStartLoc(queryStart).out(out).rope(style, cosSin).build());
            record("paged_attention", String.format("decode seqs=%d kvLen=%d heads=%d/%d d=%d f16 %s %s", seqs, kvLen,
                    heads, kvHeads, headDim, layout, style), 2L * seqs * kvLen * kvHeads * headDim);
        }
    }

    private void contrastive(Backend b, int batch, int vocab) {
        SplittableRandom r = new SplittableRandom(vocab);
        try (Tensor logits = random(b, r, DType.BF16, 2L * batch, vocab);
                Tensor token = b.allocate(DType.I32, batch);
                Tensor score = b.allocate(DType.F32, batch);
                Tensor valid = b.allocate(DType.I32, batch)) {
            b.contrastive(ContrastiveArgs.builder().interleaved(logits).outputs(token, score, valid).build());
            record("contrastive", String.format("B=%d vocab=%d bf16 greedy", batch, vocab), 2L * batch * vocab);
        }
    }

    private void bgmv(Backend b, int batch, int hidden, int rank, int adapters) {
        int[] idx = new int[batch];
        for (int i = 0; i < batch; i++) {
            idx[i] = i % 2 == 1 ? -1 : (i / 2) % adapters;
        }
        SplittableRandom r = new SplittableRandom(hidden);
        try (Tensor x = random(b, r, DType.BF16, batch, hidden);
                Tensor a = random(b, r, DType.BF16, adapters, rank, hidden);
                Tensor w = random(b, r, DType.BF16, adapters, hidden, rank);
                Tensor indices = b.fromInts(idx, batch);
                Tensor v = b.allocate(DType.F32, batch, rank);
                Tensor y = b.allocate(DType.BF16, batch, hidden)) {
            String shape = String.format("B=%d hidden=%d rank=%d bf16", batch, hidden, rank);
            b.bgmvShrink(new BgmvShrinkArgs(x, a, indices, v, 0.5f));
            record("bgmv_shrink", shape, (long) batch * hidden + (long) adapters * rank * hidden);
            b.bgmvExpand(new BgmvExpandArgs(v, w, indices, y, 0));
            record("bgmv_expand", shape, (long) batch * rank + (long) adapters * hidden * rank + (long) batch * hidden);
        }
    }

    private void matmul(Backend b, int m, int k, int n) {
        SplittableRandom r = new SplittableRandom(k);
        try (Tensor x = random(b, r, DType.F32, m, k);
                Tensor w = random(b, r, DType.BF16, n, k);
                Tensor o = b.allocate(DType.F32, m, n)) {
            b.matmul(new MatmulArgs(x, w, o));
            record("matmul", String.format("M=%d K=%d N=%d bf16 weight", m, k, n), (long) m * k + (long) n * k);
        }
    }

    /** A decode step's element-wise kernels: the fused residual add and RMS norm, SwiGLU's activation, the embedding lookup. */
    private void elementwise(Backend b, int rows, int hidden, int inter, int vocab) {
        SplittableRandom r = new SplittableRandom(hidden);
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = r.nextInt(vocab);
        }
        try (Tensor x = random(b, r, DType.F32, rows, hidden);
                Tensor residual = random(b, r, DType.F32, rows, hidden);
                Tensor weight = random(b, r, DType.F32, hidden);
                Tensor normed = b.allocate(DType.F32, rows, hidden);
                Tensor gateUp = random(b, r, DType.F32, rows, 2L * inter);
                Tensor act = b.allocate(DType.F32, rows, inter);
                Tensor table = random(b, r, DType.BF16, vocab, hidden);
                Tensor idt = b.fromInts(ids, rows);
                Tensor emb = b.allocate(DType.F32, rows, hidden)) {
            b.rmsNorm(new RmsNormArgs(x, residual, weight, normed, 1e-5f));
            record("rms_norm", String.format("rows=%d hidden=%d residual", rows, hidden), 2L * rows * hidden + hidden);
            b.siluMul(new SiluMulArgs(gateUp, act));
            record("silu_mul", String.format("rows=%d inter=%d", rows, inter), 2L * rows * inter);
            b.embedding(new EmbeddingArgs(table, idt, emb));
            record("embedding", String.format("rows=%d vocab=%d hidden=%d bf16", rows, vocab, hidden),
                    (long) rows * hidden);
        }
    }

    /**
     * Reads the cost of the call just made (all its launches) and adds its row; {@code elements}
     * counts the call's input elements (KV elements, logits, weights and activations), the
     * denominator of the scalar accesses per element.
     */
    private void record(String name, String shape, long elements) {
        double[] c = new double[AscendKernels.COST_FIELDS];
        int st = AscendKernels.npukit_ascend_last_launch_cost(c);
        if (st != 0) {
            throw new IllegalStateException("npukit_ascend_last_launch_cost: status " + st + ": "
                    + AscendKernels.npukit_ascend_last_error().getString());
        }
        long gmBytes = (long) c[1];
        long repeats = (long) c[5];
        long scalar = (long) c[6];
        long barriers = (long) c[7];
        double modelled = c[9];
        double hbm = c[10];
        long l2Bytes = (long) c[11];
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", name);
        row.put("shape", shape);
        row.put("gmBytes", gmBytes);
        row.put("l2Bytes", l2Bytes);
        row.put("vectorRepeats", repeats);
        row.put("scalarAccesses", scalar);
        row.put("elements", elements);
        row.put("scalarPerElement", Math.round(1e4 * scalar / (double) elements) / 1e4);
        row.put("barriers", barriers);
        row.put("modelledUs", Math.round(modelled * 1000) / 1000.0);
        row.put("hbmBoundUs", Math.round(hbm * 1000) / 1000.0);
        rows.add(row);
        if (!output.json) {
            out.printf("%-18s %-34s %12d %12d %10d %10d %8.4f %9d %11.2f %11.2f %6.2f%n", name, shape, gmBytes, l2Bytes,
                    repeats, scalar, scalar / (double) elements, barriers, modelled, hbm, modelled / hbm);
            out.flush();
        }
    }

    private static Tensor random(Backend be, SplittableRandom r, DType dtype, long... shape) {
        float[] data = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (r.nextDouble() - 0.5);
        }
        return be.fromFloats(dtype, data, shape);
    }
}
