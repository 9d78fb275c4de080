package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.Backend;
import dev.npukit.bench.Quantile;
import dev.npukit.bench.ReadBandwidth;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.LlamaWeights;
import dev.npukit.model.PagedKvCache;
import dev.npukit.model.SafetensorsException;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code npukit bench decode}: decode tokens/s of a Llama model at several batch sizes, beside the
 * bound that memory bandwidth puts on it. A decode step reads every weight of the linear layers
 * and the LM head once, whatever the batch, so with the read bandwidth measured in the same run the
 * step can take no less than (weight bytes) / (bandwidth): the bound is batch x bandwidth / weight
 * bytes tokens/s. The ratio of the two is how close the model runs to the memory limit.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times batched decoding of a Llama model (a checkpoint directory or a named random one) and"
                + " reports tokens/s beside the bound from the weights' bytes per step and the read bandwidth measured"
                + " in the same run.")
final class BenchDecodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (config.json and *.safetensors); its weights keep their dtype.")
    Path model;

    @Option(names = "--random", paramLabel = "SIZE",
            description = "A random model with BF16 weights instead of --model: tiny (2 layers, hidden 32), small (the"
                    + " demo's, hidden 256) or 150M (the SmolLM-135M shape: hidden 576, 30 layers, 9 heads / 3 KV heads,"
                    + " vocabulary 49152, tied embeddings).")
    String random;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to measure: reference, cpu or ascend. Default: the best available.")
    String backend;

    @Option(names = "--batch", paramLabel = "B", split = ",", defaultValue = "1,8",
            description = "Sequences decoded together, comma-separated. Default: ${DEFAULT-VALUE}.")
    int[] batches;

    @Option(names = "--prompt", paramLabel = "N", defaultValue = "32",
            description = "Prompt tokens per sequence, prefilled once before the timing. Default: ${DEFAULT-VALUE}.")
    int prompt;

    @Option(names = "--tokens", paramLabel = "N", defaultValue = "16",
            description = "Decode steps per timed run; every run decodes the same positions after the prompt."
                    + " Default: ${DEFAULT-VALUE}.")
    int tokens;

    @CommandLine.Mixin
    TimingOptions timing = TimingOptions.defaults(1, 5);

    @CommandLine.Mixin
    JsonOption output;

    /** KV cache slots per block. */
    private static final int BLOCK_SIZE = 16;
    /** The bandwidth probe's buffer: far beyond the caches, as ReadBandwidth asks. */
    private static final long PROBE_BYTES = 512L << 20;

    @Override
    public Integer call() throws Exception {
        if ((model == null) == (random == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), model == null
                    ? "--model: give a model directory, or --random SIZE" : "--model: give --model or --random, not both");
        }
        if (random != null && !RandomLlama.SIZES.contains(random)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--random: unknown size '" + random
                    + "', expected one of " + String.join(", ", RandomLlama.SIZES));
        }
        if (model != null && !Files.isRegularFile(model.resolve("config.json"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model: " + model + " has no config.json");
        }
        OptionChecks.positive(spec, "--batch", batches);
        OptionChecks.positive(spec, "--prompt", prompt);
        OptionChecks.positive(spec, "--tokens", tokens);
        timing.check(spec, 0);
        Backend b = BackendText.select(spec, "--backend", backend);
        Progress progress = new Progress(spec.commandLine().getErr());
        LlamaConfig c;
        LlamaWeights weights;
        try {
            // The config first: cheap, and a sequence longer than the model's positions is a usage error.
            c = model != null ? LlamaConfig.read(model.resolve("config.json")) : RandomLlama.config(random);
            if (prompt + tokens > c.maxPositions()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--tokens: prompt + tokens = "
                        + (prompt + tokens) + " exceed the model's " + c.maxPositions() + " positions");
            }
            progress.say(model != null ? "loading " + model : "generating the random " + random + " model");
            weights = model != null ? LlamaWeights.load(model) : RandomLlama.weights(c, 1);
        } catch (SafetensorsException e) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": error: " + Messages.oneLine(e.getMessage()));
            return 1;
        }
        c = weights.config();
        DType weightDtype = weights.dtype();
        long stepBytes = weightBytesPerStep(c, weightDtype);
        List<Map<String, Object>> cases = new ArrayList<>();
        double[] bandwidths = new double[batches.length];
        progress.say("uploading the weights to " + b.name());
        try (LlamaModel m = new LlamaModel(b, weights, List.of());
                ReadBandwidth.Probe probe = new ReadBandwidth.Probe(PROBE_BYTES)) {
            weights = null;  // the backend holds them now; the host copy may go
            for (int i = 0; i < batches.length; i++) {
                int batch = batches[i];
                progress.say(String.format("batch %d: %d-token prompts, then %d decode steps per run, each run followed"
                        + " by a read of the bandwidth probe", batch, prompt, tokens));
                BenchStats[] stats = timeSteps(m, batch, probe);
                double msPerStep = stats[0].medianMs() / tokens;
                bandwidths[i] = probe.bytes() / (stats[1].medianMs() * 1e6);
                double tokensPerSecond = batch * 1000.0 / msPerStep;
                double bound = batch * bandwidths[i] * 1e9 / stepBytes;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("batch", batch);
                row.put("msPerStep", round(msPerStep, 3));
                row.put("tokensPerSecond", round(tokensPerSecond, 2));
                row.put("boundTokensPerSecond", round(bound, 2));
                // Three significant digits, not decimals: a tiny model's steps are far from its bound
                // (ratios of 1e-4 on the reference backend), which three decimals would round to 0.
                row.put("ratio", significant(tokensPerSecond / bound, 3));
                row.put("readBandwidthGbPerS", round(bandwidths[i], 2));
                cases.add(row);
            }
        }
        progress.done();
        double bandwidth = Quantile.median(bandwidths);

        Map<String, Object> report = new LinkedHashMap<>();
        boolean emulated = BackendText.putReportHead(report, b);
        report.put("model", model != null ? model.toString() : "random " + random);
        report.put("parameters", parameters(c));
        report.put("layers", c.numLayers());
        report.put("hidden", c.hiddenSize());
        report.put("vocab", c.vocabSize());
        report.put("weightDtype", weightDtype.name());
        report.put("weightBytesPerStep", stepBytes);
        report.put("readBandwidthGbPerS", round(bandwidth, 2));
        report.put("prompt", prompt);
        report.put("tokens", tokens);
        report.put("warmup", timing.warmup);
        report.put("runs", timing.runs);
        report.put("cases", cases);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            out.flush();
            return 0;
        }
        out.printf("decode on %s: %s, %.1fM parameters, %s weights (%.1f MB read per step)%n", b.name(),
                report.get("model"), parameters(c) / 1e6, report.get("weightDtype"), stepBytes / 1e6);
        out.printf("machine: %s; measured read bandwidth %.1f GB/s%n%n", Machine.describe(), bandwidth);
        if (emulated) {
            out.printf("NOTE: %s%n%n", BenchAttentionCommand.EMULATED);
        }
        TextTable t = new TextTable("batch", "read GB/s", "ms / step", "tokens/s", "bound tokens/s", "ratio");
        for (Map<String, Object> row : cases) {
            t.row(row.get("batch"), String.format("%.1f", (Double) row.get("readBandwidthGbPerS")),
                    String.format("%.3f", (Double) row.get("msPerStep")),
                    String.format("%.1f", (Double) row.get("tokensPerSecond")),
                    String.format("%.1f", (Double) row.get("boundTokensPerSecond")),
                    String.format("%.2f", (Double) row.get("ratio")));
        }
        t.print(out);
        out.println();
        out.println("ms / step: median time of one decode step of the whole batch (" + timing.runs + " runs of " + tokens
                + " steps); bound = batch x read bandwidth / weight bytes per step (every linear layer's weights and"
                + " the LM head, read once per step), the bandwidth read by the probe in turns with the case's runs"
                + " (the figure above: the median over the cases); ratio = tokens/s / bound.");
        out.flush();
        return 0;
    }

    /**
     * Times runs of {@code tokens} decode steps of {@code batch} sequences in turns with reads of the
     * bandwidth probe, so that the bound and the speed see the same load of the machine: {decode
     * runs, probe reads}. Each run decodes the same positions after a prefilled prompt (the K/V
     * written there are simply written again), so every run does the same work. Tokens come from a
     * fixed sequence and the logits stay on the backend: choosing the next token is not part of the
     * figure.
     */
    private BenchStats[] timeSteps(LlamaModel m, int batch, ReadBandwidth.Probe probe) {
        LlamaConfig c = m.config();
        int blocksPerSeq = (prompt + tokens + BLOCK_SIZE - 1) / BLOCK_SIZE;
        try (PagedKvCache cache = m.newCache(batch * blocksPerSeq, BLOCK_SIZE, DType.BF16)) {
            int[][] tables = new int[batch][blocksPerSeq];
            List<LlamaModel.Span> prefill = new ArrayList<>();
            for (int s = 0; s < batch; s++) {
                for (int i = 0; i < blocksPerSeq; i++) {
                    tables[s][i] = s * blocksPerSeq + i;
                }
                int[] p = new int[prompt];
                for (int i = 0; i < prompt; i++) {
                    p[i] = token(c, s, i);
                }
                prefill.add(new LlamaModel.Span(tables[s], 0, p, -1, true, true));
            }
            try (Tensor logits = m.forward(cache, prefill)) {
                logits.dim(0);
            }
            Runnable run = () -> {
                for (int step = 0; step < tokens; step++) {
                    List<LlamaModel.Span> spans = new ArrayList<>(batch);
                    for (int s = 0; s < batch; s++) {
                        int pos = prompt + step;
                        spans.add(new LlamaModel.Span(tables[s], pos, new int[] {token(c, s, pos)}, -1, true, true));
                    }
                    try (Tensor logits = m.forward(cache, spans)) {
                        logits.dim(0);
                    }
                }
            };
            return BenchStats.measureInterleaved(timing.warmup, timing.runs, run, probe::readGbPerS);
        }
    }

    /** The token of sequence s at a position: a fixed, spread-out sequence of ids. */
    private static int token(LlamaConfig c, int s, int pos) {
        return (int) ((s * 7919L + pos * 104729L + 1) % c.vocabSize());
    }

    /**
     * Bytes of weights a decode step reads: every layer's q, k, v, o, gate, up and down matrices and
     * the LM head (tied embeddings count once, as the LM head), at the dtype the backend keeps them
     * in. The embedding rows of the batch's tokens, the norms and the biases are left out: a few
     * rows against millions.
     */
    static long weightBytesPerStep(LlamaConfig c, DType dtype) {
        return linearParameters(c) * dtype.byteSize();
    }

    private static long linearParameters(LlamaConfig c) {
        long perLayer = 0;
        for (String proj : LlamaWeights.PROJECTIONS) {
            long[] s = LlamaWeights.projectionShape(c, proj);
            perLayer += s[0] * s[1];
        }
        return perLayer * c.numLayers() + (long) c.vocabSize() * c.hiddenSize();
    }

    /** All parameters: the linear layers and LM head, an untied embedding table, norms and biases. */
    private static long parameters(LlamaConfig c) {
        long n = 0;
        for (long[] shape : LlamaWeights.expectedShapes(c).values()) {
            long e = 1;
            for (long d : shape) {
                e *= d;
            }
            n += e;
        }
        return n;
    }

    /** x to {@code digits} significant digits (non-finite values unchanged). */
    private static double significant(double x, int digits) {
        return Double.isFinite(x) ? new BigDecimal(x).round(new MathContext(digits)).doubleValue() : x;
    }

    private static double round(double x, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(x * f) / f;
    }
}
