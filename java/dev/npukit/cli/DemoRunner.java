package dev.npukit.cli;

import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.cold.ColdConfig;
import dev.npukit.cold.ContrastiveDecoder;
import dev.npukit.cold.DecodeRequest;
import dev.npukit.cold.Generation;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.LlamaWeights;
import dev.npukit.model.LoraAdapter;
import dev.npukit.model.ModelLogits;
import dev.npukit.serving.RagWorkload;
import dev.npukit.serving.ServingEngine;
import dev.npukit.tensor.DType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The demo's work: a small Llama-style model (seeded random weights) on the best backend serves a
 * RAG workload under every cache policy, decodes with CoLD against greedy on a LoRA adapter, and
 * checks every kernel against the reference on every backend. {@link DemoReport} renders the result.
 */
final class DemoRunner {
    static final int BLOCK_SIZE = 16;
    static final int MAX_BATCH = 8;
    /** KV pool of each serving engine, in blocks. */
    static final int POOL_BLOCKS = 4096;
    /** Tokens of the question that ends each RAG request. */
    static final int QUESTION_TOKENS = 24;
    /** CoLD prompts and their new tokens. */
    private static final int COLD_PROMPTS = 4;
    private static final int COLD_NEW_TOKENS = 24;

    /** Identity of the demo's weights in the chunk store's keys (see {@code ModelFingerprint}). */
    static final String WEIGHTS_IDENTITY = "random:2024:F32";

    /**
     * The workload's sizes and the chunk store spec ({@code memory}, {@code disk:DIR} or a Redis URI), as the
     * {@code demo} options give them.
     */
    record Options(int requests, int documents, int docTokens, int chunks, int newTokens, String chunkStore) {
        /** Longest document: {@link RagWorkload} draws lengths in [3/4, 5/4] of docTokens. */
        long maxDocTokens() {
            return docTokens * 3L / 4 + docTokens / 2;
        }

        /** Positions the longest request takes: its documents, its question and its new tokens. */
        long maxRequestPositions() {
            return chunks * maxDocTokens() + QUESTION_TOKENS + newTokens;
        }
    }

    /** What the demo measured; every figure the reports show. */
    record Result(String backend, String backendReason, LlamaConfig config, int requests, long promptTokens,
            List<ServingEngine.Result> serving, double[] klVsFull, List<Generation> greedy, List<Generation> cold,
            double greedySeconds, double coldSeconds, int tokensDiffering, int coldTokens,
            List<KernelSelfCheck.Outcome> checks, ServingEngine.ChunkStoreStats chunkStore) {
        boolean allChecksPassed() {
            return checks.stream().allMatch(c -> c.passed() || c.note() != null);
        }
    }

    private DemoRunner() {
    }

    static Result run(Options o, Progress progress) throws IOException {
        Backend backend = Backends.best();
        progress.say("backend: " + backend.name() + " (" + backend.info().reason() + ")");
        LlamaConfig cfg = LlamaConfig.small();
        progress.say(String.format(Locale.ROOT, "model: Llama-style, %d layers, hidden %d, %d heads / %d KV heads, "
                + "head dim %d, vocab %d, seeded random weights", cfg.numLayers(), cfg.hiddenSize(), cfg.numHeads(),
                cfg.numKvHeads(), cfg.headDim(), cfg.vocabSize()));
        // WEIGHTS_IDENTITY names these weights in the chunk store: change both together.
        LlamaWeights weights = LlamaWeights.random(cfg, 2024, DType.F32);
        LoraAdapter adapter = LoraAdapter.random(cfg, 8, 16f, 7, 0.05f, "self_attn.q_proj", "self_attn.v_proj",
                "mlp.down_proj");

        List<Request> workload = RagWorkload.generate(cfg.vocabSize(), o.documents(), o.docTokens(), o.requests(),
                o.chunks(), QUESTION_TOKENS, o.newTokens(), 11);
        long promptTokens = 0;
        for (Request r : workload) {
            promptTokens += r.segments().stream().mapToInt(Segment::length).sum();
        }
        progress.say(String.format(Locale.ROOT, "workload: %d requests x (%d of %d documents, ~%d tokens each, + a %d-token"
                + " question), %d new tokens each; %d prompt tokens", o.requests(), o.chunks(), o.documents(),
                o.docTokens(), QUESTION_TOKENS, o.newTokens(), promptTokens));
        List<ServingEngine.Result> results = new ArrayList<>();
        List<Generation> greedyOut;
        List<Generation> coldOut;
        double greedySeconds;
        double coldSeconds;
        ServingEngine.ChunkStoreStats chunkStore = null;
        // The shared documents, as an offline pass (LMCache's role) stores them for chunk reuse.
        List<int[]> documentsAsChunks = new ArrayList<>();
        for (Request r : workload) {
            r.segments().stream().filter(Segment::isChunk).map(Segment::tokens).forEach(documentsAsChunks::add);
        }
        try (LlamaModel model = new LlamaModel(backend, weights, List.of(adapter))) {
            for (Policy p : Policy.values()) {
                progress.say("serving under " + p + "...");
                try (ServingEngine engine = new ServingEngine(model, p, POOL_BLOCKS, BLOCK_SIZE, MAX_BATCH,
                        o.chunkStore(), WEIGHTS_IDENTITY)) {
                    engine.precomputeChunks(documentsAsChunks);
                    int total = workload.size();
                    results.add(engine.serve(workload, done -> {
                        if (done % Math.max(1, total / 4) == 0 && done < total) {
                            progress.say("  " + p + ": " + done + "/" + total + " requests done");
                        }
                    }));
                    chunkStore = sum(chunkStore, engine.chunkStoreStats());
                }
                ServingEngine.Result r = results.get(results.size() - 1);
                progress.say(String.format(Locale.ROOT, "  %s: %.1f s, %d tokens computed, peak %d blocks", p, r.seconds(),
                        r.computedTokens(), r.peakBlocks()));
            }
            progress.say("CoLD vs greedy decoding on a LoRA adapter...");
            Random rnd = new Random(5);
            List<DecodeRequest> prompts = new ArrayList<>();
            for (int i = 0; i < COLD_PROMPTS; i++) {
                int[] t = new int[16 + 8 * i];
                for (int j = 0; j < t.length; j++) {
                    t[j] = 1 + rnd.nextInt(cfg.vocabSize() - 1);
                }
                prompts.add(new DecodeRequest(t, 0, COLD_NEW_TOKENS, null));
            }
            try (ModelLogits logits = new ModelLogits(model, 256, BLOCK_SIZE)) {
                long t0 = System.nanoTime();
                greedyOut = new ContrastiveDecoder(backend, logits,
                        ColdConfig.builder().beta(0f).maxNewTokens(COLD_NEW_TOKENS).build()).generate(prompts);
                greedySeconds = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                coldOut = new ContrastiveDecoder(backend, logits, ColdConfig.builder().alpha(0.1f).beta(0.5f)
                        .maxNewTokens(COLD_NEW_TOKENS).build()).generate(prompts);
                coldSeconds = (System.nanoTime() - t0) / 1e9;
            }
        }
        progress.say("kernel self-check on every available backend...");
        List<KernelSelfCheck.Outcome> checks = KernelSelfCheck.run();

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
        return new Result(backend.name(), backend.info().reason(), cfg, workload.size(), promptTokens, results, kl,
                greedyOut, coldOut, greedySeconds, coldSeconds, differing, totalTokens, checks, chunkStore);
    }

    /** The chunk store counters of every policy's engine added up (each engine opens the same spec). */
    private static ServingEngine.ChunkStoreStats sum(ServingEngine.ChunkStoreStats a, ServingEngine.ChunkStoreStats b) {
        if (a == null) {
            return b;
        }
        return new ServingEngine.ChunkStoreStats(b.kind(), a.chunksComputed() + b.chunksComputed(),
                a.chunksLoaded() + b.chunksLoaded(), a.bytesLoaded() + b.bytesLoaded(), a.loadSeconds() + b.loadSeconds());
    }

    /**
     * Heap the demo needs, from its declared sizes (a lower bound; see {@link HeapBudget}): the documents' tokens
     * and each request's copies of its documents and question (4 bytes a token, twice: the generator's arrays and
     * the segments' copies), the next-token logits kept per request and policy (4 bytes per vocabulary entry),
     * and the model's F32 weights.
     */
    static double heapBytes(Options o, LlamaConfig cfg) {
        double docTokens = (double) o.documents() * o.maxDocTokens();
        double requestTokens = (double) o.requests() * (o.chunks() * (double) o.maxDocTokens() + QUESTION_TOKENS);
        double logits = (double) o.requests() * Policy.values().length * cfg.vocabSize() * 4.0;
        double weights = 4.0 * ((double) 2 * cfg.vocabSize() * cfg.hiddenSize() + (double) cfg.numLayers()
                * (2.0 * cfg.hiddenSize() * cfg.qSize() + 2.0 * cfg.hiddenSize() * cfg.kvSize()
                + 3.0 * cfg.hiddenSize() * cfg.intermediateSize()));
        return 8 * (docTokens + requestTokens) + logits + weights;
    }
}
