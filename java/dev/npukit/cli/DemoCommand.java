package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.cold.ColdConfig;
import dev.npukit.cold.ContrastiveDecoder;
import dev.npukit.cold.DecodeRequest;
import dev.npukit.cold.Generation;
import dev.npukit.io.AtomicFiles;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.LlamaWeights;
import dev.npukit.model.LoraAdapter;
import dev.npukit.model.ModelLogits;
import dev.npukit.model.RagWorkload;
import dev.npukit.model.ServingEngine;
import dev.npukit.tensor.DType;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The main job: a small Llama-style model (seeded random weights) on the best backend serves a
 * RAG workload under every cache policy, decodes with CoLD against greedy on a LoRA adapter, and
 * checks every kernel against the reference on every backend; writes out/demo/report.html.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve a RAG workload with a small Llama model under NONE, PREFIX, EPIC, CACHEBLEND and MEPIC,",
                "run CoLD vs greedy decoding on a LoRA adapter, self-check every kernel on every backend,",
                "and write an HTML report (tables + blocks-over-time chart)."})
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--requests", defaultValue = "48", description = "RAG requests. Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(names = "--documents", defaultValue = "16", description = "Documents in the corpus. Default: ${DEFAULT-VALUE}.")
    int documents;

    @Option(names = "--doc-tokens", defaultValue = "160", description = "Mean tokens per document. Default: ${DEFAULT-VALUE}.")
    int docTokens;

    @Option(names = "--chunks", defaultValue = "3", description = "Documents per request. Default: ${DEFAULT-VALUE}.")
    int chunks;

    @Option(names = "--new-tokens", defaultValue = "8", description = "Tokens generated per request. Default: ${DEFAULT-VALUE}.")
    int newTokens;

    @Option(names = "--out", defaultValue = "out/demo", description = "Report directory. Default: ${DEFAULT-VALUE}.")
    Path outDir;

    @Option(names = "--json", description = "Print only JSON on stdout.")
    boolean json;

    private static final int BLOCK_SIZE = 16;
    private static final int MAX_BATCH = 8;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive(spec, "--requests", requests);
        OptionChecks.positive(spec, "--documents", documents);
        OptionChecks.atLeast(spec, "--doc-tokens", docTokens, 4);
        OptionChecks.positive(spec, "--chunks", chunks);
        OptionChecks.positive(spec, "--new-tokens", newTokens);
        if (chunks > documents) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--chunks: must be at most --documents (" + documents + "), got " + chunks);
        }
        Progress progress = new Progress();
        Backend backend = Backends.best();
        progress.say("backend: " + backend.name() + " (" + backend.info().reason() + ")");
        LlamaConfig cfg = LlamaConfig.small();
        progress.say(String.format(Locale.ROOT, "model: Llama-style, %d layers, hidden %d, %d heads / %d KV heads, "
                + "head dim %d, vocab %d, seeded random weights", cfg.numLayers(), cfg.hiddenSize(), cfg.numHeads(),
                cfg.numKvHeads(), cfg.headDim(), cfg.vocabSize()));
        LlamaWeights weights = LlamaWeights.random(cfg, 2024, DType.F32);
        LoraAdapter adapter = LoraAdapter.random(cfg, 8, 16f, 7, 0.05f, "self_attn.q_proj", "self_attn.v_proj",
                "mlp.down_proj");

        List<Request> workload = RagWorkload.generate(cfg.vocabSize(), documents, docTokens, requests, chunks, 24,
                newTokens, 11);
        long promptTokens = 0;
        for (Request r : workload) {
            promptTokens += r.segments().stream().mapToInt(dev.npukit.mepic.Segment::length).sum();
        }
        progress.say(String.format(Locale.ROOT, "workload: %d requests x (%d of %d documents, ~%d tokens each, + a 24-token"
                + " question), %d new tokens each; %d prompt tokens", requests, chunks, documents, docTokens, newTokens,
                promptTokens));
        List<ServingEngine.Result> results = new ArrayList<>();
        List<double[]> cold = new ArrayList<>();
        List<Generation> greedyOut;
        List<Generation> coldOut;
        double greedySeconds;
        double coldSeconds;
        // The shared documents, as an offline pass (LMCache's role) stores them for chunk reuse.
        List<int[]> documentsAsChunks = new ArrayList<>();
        for (Request r : workload) {
            r.segments().stream().filter(dev.npukit.mepic.Segment::isChunk).map(dev.npukit.mepic.Segment::tokens)
                    .forEach(documentsAsChunks::add);
        }
        try (LlamaModel model = new LlamaModel(backend, weights, List.of(adapter))) {
            for (Policy p : Policy.values()) {
                progress.say("serving under " + p + "...");
                try (ServingEngine engine = new ServingEngine(model, p, 4096, BLOCK_SIZE, MAX_BATCH)) {
                    engine.precomputeChunks(documentsAsChunks);
                    int total = workload.size();
                    results.add(engine.serve(workload, done -> {
                        if (done % Math.max(1, total / 4) == 0 && done < total) {
                            progress.say("  " + p + ": " + done + "/" + total + " requests done");
                        }
                    }));
                }
                ServingEngine.Result r = results.get(results.size() - 1);
                progress.say(String.format(Locale.ROOT, "  %s: %.1f s, %d tokens computed, peak %d blocks", p, r.seconds(),
                        r.computedTokens(), r.peakBlocks()));
            }
            progress.say("CoLD vs greedy decoding on a LoRA adapter...");
            Random rnd = new Random(5);
            List<DecodeRequest> prompts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int[] t = new int[16 + 8 * i];
                for (int j = 0; j < t.length; j++) {
                    t[j] = 1 + rnd.nextInt(cfg.vocabSize() - 1);
                }
                prompts.add(new DecodeRequest(t, 0, 24, null));
            }
            try (ModelLogits logits = new ModelLogits(model, 256, BLOCK_SIZE)) {
                long t0 = System.nanoTime();
                greedyOut = new ContrastiveDecoder(backend, logits, ColdConfig.builder().beta(0f).maxNewTokens(24).build())
                        .generate(prompts);
                greedySeconds = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                coldOut = new ContrastiveDecoder(backend, logits, ColdConfig.builder().alpha(0.1f).beta(0.5f)
                        .maxNewTokens(24).build()).generate(prompts);
                coldSeconds = (System.nanoTime() - t0) / 1e9;
            }
        }
        progress.say("kernel self-check on every available backend...");
        List<KernelSelfCheck.Outcome> checks = KernelSelfCheck.run(DType.F32);

        ServingEngine.Result full = results.get(0);
        double[] kl = new double[results.size()];
        for (int p = 0; p < results.size(); p++) {
            double s = 0;
            for (int i = 0; i < workload.size(); i++) {
                s += ServingEngine.klDivergence(full.requests().get(i).firstLogits(),
                        results.get(p).requests().get(i).firstLogits());
            }
            kl[p] = s / workload.size();
        }
        int differing = 0;
        for (int i = 0; i < greedyOut.size(); i++) {
            int[] a = greedyOut.get(i).tokens();
            int[] b = coldOut.get(i).tokens();
            for (int j = 0; j < Math.min(a.length, b.length); j++) {
                differing += a[j] != b[j] ? 1 : 0;
            }
        }
        int totalTokens = greedyOut.stream().mapToInt(g -> g.tokens().length).sum();

        Files.createDirectories(outDir);
        byte[] png = DemoChart.png(results);
        Path report = outDir.resolve("report.html");
        AtomicFiles.writeString(report, html(backend, cfg, workload.size(), promptTokens, results, kl, greedyOut, coldOut,
                greedySeconds, coldSeconds, differing, totalTokens, checks, png));
        progress.say("report written to " + report.toAbsolutePath());

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(json(backend, cfg, results, kl, greedySeconds, coldSeconds, differing, totalTokens, checks, report));
        } else {
            out.println("RAG serving, " + workload.size() + " requests, " + promptTokens + " prompt tokens, backend "
                    + backend.name() + ":");
            servingTable(results, kl).print(System.out);
            out.flush();
            System.out.flush();
            out.printf(Locale.ROOT, "%nCoLD (alpha 0.1, beta 0.5) vs greedy on a LoRA adapter: %d of %d tokens differ; "
                    + "greedy %.1f tok/s, CoLD %.1f tok/s (expert + base rows per step)%n", differing, totalTokens,
                    totalTokens / greedySeconds, totalTokens / coldSeconds);
            out.println();
            out.flush();
            checkTable(checks).print(System.out);
            System.out.flush();
            out.println();
            out.println("report: " + report.toAbsolutePath());
        }
        out.flush();
        boolean allPassed = checks.stream().allMatch(c -> c.passed() || c.note() != null);
        return allPassed ? 0 : 1;
    }

    private static TextTable servingTable(List<ServingEngine.Result> results, double[] kl) {
        TextTable t = new TextTable("policy", "peak blocks", "mean blocks", "tokens computed", "tok/s", "seconds",
                "mean KL vs full");
        for (int i = 0; i < results.size(); i++) {
            ServingEngine.Result r = results.get(i);
            t.row(r.policy(), r.peakBlocks(), fmt("%.1f", r.meanBlocks()), r.computedTokens(),
                    fmt("%.0f", r.tokensPerSecond()), fmt("%.2f", r.seconds()), fmt("%.2e", kl[i]));
        }
        return t;
    }

    private static TextTable checkTable(List<KernelSelfCheck.Outcome> checks) {
        TextTable t = new TextTable("kernel", "backend", "rel. error vs reference", "bound", "result");
        for (KernelSelfCheck.Outcome c : checks) {
            t.row(c.kernel(), c.backend(), c.note() != null ? "-" : fmt("%.2e", c.error()), fmt("%.0e", c.bound()),
                    c.note() != null ? c.note() : c.passed() ? "ok" : "FAILED");
        }
        return t;
    }

    private static String fmt(String f, Object... v) {
        return String.format(Locale.ROOT, f, v);
    }

    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String htmlTable(TextTable t) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        t.print(new java.io.PrintStream(b, true, java.nio.charset.StandardCharsets.UTF_8));
        return "<pre>" + esc(b.toString(java.nio.charset.StandardCharsets.UTF_8)) + "</pre>";
    }

    private static String html(Backend backend, LlamaConfig cfg, int requests, long promptTokens,
            List<ServingEngine.Result> results, double[] kl, List<Generation> greedy, List<Generation> cold,
            double greedyS, double coldS, int differing, int total, List<KernelSelfCheck.Outcome> checks, byte[] png) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>npukit demo</title>")
                .append("<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}pre{background:#f6f6f6;padding:1em}</style>")
                .append("</head><body><h1>npukit demo</h1>");
        h.append("<p>Backend <b>").append(esc(backend.name())).append("</b> (").append(esc(backend.info().reason()))
                .append("). Model: Llama-style decoder with seeded random weights, ").append(cfg.numLayers())
                .append(" layers, hidden ").append(cfg.hiddenSize()).append(", ").append(cfg.numHeads()).append(" heads / ")
                .append(cfg.numKvHeads()).append(" KV heads, vocab ").append(cfg.vocabSize()).append(".</p>");
        h.append("<h2>RAG serving under five cache policies</h2><p>").append(requests).append(" requests, ")
                .append(promptTokens).append(" prompt tokens; shared documents are chunks, questions are prompts; block size ")
                .append(BLOCK_SIZE).append(", up to ").append(MAX_BATCH).append(" requests batched. ")
                .append("Deviation = mean KL divergence of each request's next-token distribution after the prompt from full ")
                .append("recomputation (NONE). Random weights make the size of the KL meaningful only relative to the other ")
                .append("policies.</p>");
        h.append(htmlTable(servingTable(results, kl)));
        h.append("<img alt=\"blocks in use over time\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">");
        h.append("<h2>CoLD vs greedy on a LoRA adapter</h2><p>").append(differing).append(" of ").append(total)
                .append(" generated tokens differ. Greedy ").append(fmt("%.1f", total / greedyS)).append(" tok/s, CoLD ")
                .append(fmt("%.1f", total / coldS)).append(" tok/s (both run the expert and base rows in one batch).</p><pre>");
        for (int i = 0; i < greedy.size(); i++) {
            h.append("request ").append(i).append("\n  greedy ").append(esc(java.util.Arrays.toString(greedy.get(i).tokens())))
                    .append("\n  CoLD   ").append(esc(java.util.Arrays.toString(cold.get(i).tokens()))).append('\n');
        }
        h.append("</pre><h2>Kernel self-check against the reference</h2>").append(htmlTable(checkTable(checks)));
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String json(Backend backend, LlamaConfig cfg, List<ServingEngine.Result> results, double[] kl,
            double greedyS, double coldS, int differing, int total, List<KernelSelfCheck.Outcome> checks, Path report)
            throws java.io.IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("backend", backend.name());
        root.put("report", report.toAbsolutePath().toString());
        root.putPOJO("model", cfg);
        ArrayNode serving = root.putArray("serving");
        for (int i = 0; i < results.size(); i++) {
            ServingEngine.Result r = results.get(i);
            serving.addObject().put("policy", r.policy().name()).put("peakBlocks", r.peakBlocks())
                    .put("meanBlocks", r.meanBlocks()).put("tokensComputed", r.computedTokens())
                    .put("promptTokens", r.promptTokens()).put("generatedTokens", r.generatedTokens())
                    .put("tokensPerSecond", r.tokensPerSecond()).put("seconds", r.seconds()).put("meanKlVsFull", kl[i]);
        }
        root.putObject("cold").put("tokens", total).put("tokensDifferingFromGreedy", differing)
                .put("greedyTokensPerSecond", total / greedyS).put("coldTokensPerSecond", total / coldS);
        ArrayNode c = root.putArray("kernelChecks");
        for (KernelSelfCheck.Outcome o : checks) {
            ObjectNode n = c.addObject().put("kernel", o.kernel()).put("backend", o.backend()).put("bound", o.bound())
                    .put("passed", o.passed());
            if (o.note() != null) {
                n.put("note", o.note());
            } else {
                n.put("relativeError", o.error());
            }
        }
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }
}
