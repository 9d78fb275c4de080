package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.bench.Quantile;
import dev.npukit.mepic.Admission;
import dev.npukit.mepic.CacheManager;
import dev.npukit.mepic.Plan;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code npukit bench cache}: the cache manager's own cost per request. Each iteration builds a request of K
 * chunk segments (document objects reused across requests, as an engine keeps them) and a fresh question at
 * the front, so no prefix hit helps; it times admit (padding, SHA-256 of every chunk, planning) and release.
 */
@Command(name = "cache", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times admitting (planning) and releasing one request in the MEPIC cache manager: warm-up runs,"
                + " then repeated runs, each the median over many requests; reports the median of the run medians.")
final class BenchCacheCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--chunks", paramLabel = "K", defaultValue = "16", description = "Chunks per request. Default: ${DEFAULT-VALUE}.")
    int chunks;

    @Option(names = "--chunk-tokens", paramLabel = "T", defaultValue = "512", description = "Tokens per chunk. Default: ${DEFAULT-VALUE}.")
    int chunkTokens;

    @Option(names = "--block-size", paramLabel = "T", defaultValue = "16", description = "Tokens per block. Default: ${DEFAULT-VALUE}.")
    int blockSize;

    @Option(names = "--policy", paramLabel = "P", defaultValue = "MEPIC",
            description = "Policy to time: none, prefix, epic, cacheblend or mepic. Default: ${DEFAULT-VALUE}.")
    String policy;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "2000", description = "Timed requests per run. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @CommandLine.Mixin
    TimingOptions timing = TimingOptions.defaults(3, 7);

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        Policy p;
        try {
            p = Policy.parse(policy);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        OptionChecks.positive(spec, "--chunks", chunks);
        OptionChecks.positive(spec, "--chunk-tokens", chunkTokens);
        OptionChecks.positive(spec, "--block-size", blockSize);
        OptionChecks.positive(spec, "--iterations", iterations);
        timing.check(spec, 0);
        int runs = timing.runs;
        int warmup = timing.warmup;
        SplittableRandom rnd = new SplittableRandom(42);
        List<Segment> docs = new ArrayList<>();
        for (int c = 0; c < chunks; c++) {
            docs.add(Segment.chunk(rnd.ints(chunkTokens, 1, 32000).toArray()));
        }
        int blocksPerRequest = chunks * ((chunkTokens + blockSize - 1) / blockSize) + 8;
        CacheManager manager = new CacheManager(p, 4 * blocksPerRequest, blockSize);
        // First sight: publish the chunks, so the timed requests find them resident (the steady state).
        Plan first = admit(manager, request(docs, rnd));
        manager.publish(first);
        manager.release(first);
        PrintWriter err = spec.commandLine().getErr();
        double[] runMedians = new double[runs];
        for (int r = -warmup; r < runs; r++) {
            double[] us = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                Request req = request(docs, rnd);
                long t0 = System.nanoTime();
                Plan plan = admit(manager, req);
                manager.release(plan);
                us[i] = (System.nanoTime() - t0) / 1e3;
            }
            Arrays.sort(us);
            if (r >= 0) {
                runMedians[r] = us[iterations / 2];
                err.printf("run %d/%d: median %.1f us%n", r + 1, runs, runMedians[r]);
            } else {
                err.printf("warm-up %d/%d%n", r + warmup + 1, warmup);
            }
            err.flush();
        }
        manager.checkInvariants();
        double[] sorted = runMedians.clone();
        Arrays.sort(sorted);
        double median = Quantile.median(runMedians);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            ObjectMapper m = new ObjectMapper();
            ObjectNode root = m.createObjectNode();
            root.put("policy", p.name());
            root.put("chunks", chunks);
            root.put("chunkTokens", chunkTokens);
            root.put("blockSize", blockSize);
            root.put("medianMicros", median);
            root.put("minRunMedianMicros", sorted[0]);
            root.put("maxRunMedianMicros", sorted[runs - 1]);
            root.put("runs", runs);
            root.put("iterationsPerRun", iterations);
            out.println(m.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } else {
            out.printf("%-8s %7s %12s %11s %16s %16s%n", "policy", "chunks", "chunk tokens", "block size", "median us", "run medians us");
            out.printf("%-8s %7d %12d %11d %16.1f %7.1f..%-7.1f%n", p, chunks, chunkTokens, blockSize, median, sorted[0], sorted[runs - 1]);
            out.printf("plan + release of one request, median of %d runs x %d requests, after %d warm-up runs%n", runs, iterations, warmup);
        }
        out.flush();
        return 0;
    }

    private static Request request(List<Segment> docs, SplittableRandom rnd) {
        List<Segment> segs = new ArrayList<>(docs.size() + 1);
        segs.add(Segment.prompt(rnd.ints(48, 1, 32000).toArray()));
        segs.addAll(docs);
        return new Request(segs, 0);
    }

    private static Plan admit(CacheManager m, Request r) {
        if (m.admit(r) instanceof Admission.Admitted ok) {
            return ok.plan();
        }
        throw new IllegalStateException("the benchmark pool is too small for one request");
    }
}
