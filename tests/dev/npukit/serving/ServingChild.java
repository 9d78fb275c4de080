package dev.npukit.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.backend.Backends;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.LlamaWeights;
import dev.npukit.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A serving host of {@link TwoHostServingTest}, run as its own JVM: {@code STORE OUT} serves {@link #workload()}
 * with {@link #serve} on chunk store spec STORE and writes the outcome to OUT as JSON: the chunk store counters,
 * the tokens computed and loaded, and per request its greedy tokens and next-token logits.
 */
public final class ServingChild {
    static final int BLOCK = 8;
    /** Names the weights {@link #weights()} generates, in the chunk store's keys. */
    static final String WEIGHTS_IDENTITY = "random:8:F32";

    private ServingChild() {
    }

    public static void main(String[] args) throws Exception {
        List<Request> requests = workload();
        ObjectNode out = new ObjectMapper().createObjectNode();
        try (LlamaModel m = new LlamaModel(Backends.get("cpu"), weights(), List.of())) {
            ServingEngine.Result r;
            ServingEngine.ChunkStoreStats stats;
            try (ServingEngine e = new ServingEngine(m, Policy.MEPIC, 512, BLOCK, 4, args[0], WEIGHTS_IDENTITY)) {
                r = serve(e, requests);
                stats = e.chunkStoreStats();
            }
            out.put("kind", stats.kind()).put("chunksComputed", stats.chunksComputed())
                    .put("chunksLoaded", stats.chunksLoaded()).put("computedTokens", r.computedTokens())
                    .put("loadedTokens", r.loadedTokens());
            ArrayNode served = out.putArray("requests");
            for (ServingEngine.Served s : r.requests()) {
                ObjectNode n = served.addObject();
                ArrayNode tokens = n.putArray("tokens");
                for (int t : s.tokens()) {
                    tokens.add(t);
                }
                ArrayNode logits = n.putArray("logits");
                for (float f : s.firstLogits()) {
                    logits.add(f);
                }
            }
        }
        Files.writeString(Path.of(args[1]), out.toString());
        System.exit(0);
    }

    static LlamaWeights weights() {
        return LlamaWeights.random(LlamaConfig.tiny(2), 8, DType.F32);
    }

    static List<Request> workload() {
        return RagWorkload.generate(LlamaConfig.tiny(2).vocabSize(), 6, 28, 10, 3, 5, 4, 42);
    }

    /** Stores every document chunk the way an offline pass would (skipping stored ones), then serves. */
    static ServingEngine.Result serve(ServingEngine e, List<Request> requests) {
        e.precomputeChunks(requests.stream().flatMap(r -> r.segments().stream()).filter(Segment::isChunk)
                .map(Segment::tokens).toList());
        return e.serve(requests, null);
    }

    /** Runs a host to its end (at most 120 s) with the test class path, output to {@code log}; its exit code. */
    static int run(Path log, String store, Path out) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(ServingChild.class.getName());
        cmd.add(store);
        cmd.add(out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
