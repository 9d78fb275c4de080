package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.replay.LongPromptWorkload;
import dev.npukit.mepic.replay.MemoryChart;
import dev.npukit.mepic.replay.Replay;
import dev.npukit.mepic.replay.ReplayConfig;
import dev.npukit.mepic.replay.ReplayRequest;
import dev.npukit.mepic.replay.ReplayResult;
import dev.npukit.mepic.replay.StoreTiers;
import dev.npukit.mepic.replay.Table1Workload;
import dev.npukit.mepic.replay.TraceReader;
import dev.npukit.mepic.replay.WorkloadStats;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code npukit replay}: replays a workload through the MEPIC cache manager under each policy. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Replays a request stream through the real KV cache manager under each cache policy, in simulated time,"
                    + " and reports the KV blocks each policy holds, the tokens it computes and the latency.",
            "Blocks in use are the pool blocks referenced by running requests, shared blocks counted once; evictable"
                    + " cached blocks are reported apart as 'resident'. Each admitted request prefills for loaded tokens"
                    + " x load cost + computed tokens x prefill cost, then decodes one token per decode cost; only"
                    + " memory queues requests. Chunk KV comes from one external chunk store, the same for every"
                    + " policy (--chunk-store): EPIC and CACHEBLEND copy a stored chunk into private blocks, MEPIC"
                    + " loads it once into shared canonical blocks; a chunk the store lacks is computed whole."
        })
final class ReplayCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--workload", paramLabel = "NAME",
            description = "Generated workload: squad, newsqa, narrativeqa, emrqa (the paper's Table 1) or long-prompt. Default: long-prompt (unless --trace).")
    String workload;

    @Option(names = "--trace", paramLabel = "FILE", description = "JSON Lines trace to replay instead of a generated workload.")
    Path trace;

    @Option(names = "--chunks", paramLabel = "K", defaultValue = "8", description = "long-prompt: chunks per request. Default: ${DEFAULT-VALUE}.")
    int chunks;

    @Option(names = "--corpus", paramLabel = "N", defaultValue = "200", description = "long-prompt: chunks in the corpus. Default: ${DEFAULT-VALUE}.")
    int corpus;

    @Option(names = "--chunk-tokens", paramLabel = "T", defaultValue = "512", description = "long-prompt: tokens per chunk. Default: ${DEFAULT-VALUE}.")
    int chunkTokens;

    @Option(names = "--zipf", paramLabel = "S", defaultValue = "1.0", description = "Zipf exponent of chunk popularity (generators). Default: ${DEFAULT-VALUE}.")
    double zipf;

    @Option(names = "--output-tokens", paramLabel = "N", defaultValue = "64",
            description = "Generators: mean decode tokens per request (uniform in [N/2, 3N/2]). Default: ${DEFAULT-VALUE}.")
    int outputTokens;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "200", description = "Requests to generate (a trace is cut to N if longer). Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(names = "--qps", paramLabel = "QPS", defaultValue = "15", description = "Mean Poisson arrival rate, requests/s (trace lines without arrival). Default: ${DEFAULT-VALUE}.")
    double qps;

    @Option(names = "--policy", paramLabel = "P", defaultValue = "all",
            description = "none, prefix, epic, cacheblend, mepic, or all (every policy on the same stream). Default: ${DEFAULT-VALUE}.")
    String policy;

    @Option(names = "--hbm-blocks", paramLabel = "N", defaultValue = "20000",
            description = "Pool budget in blocks. Default: ${DEFAULT-VALUE} (about 40 GB of Mistral-7B fp16 KV at 16 tokens/block, what a 64 GB Ascend 910B leaves after weights).")
    int hbmBlocks;

    @Option(names = "--block-size", paramLabel = "T", defaultValue = "16", description = "Tokens per block. Default: ${DEFAULT-VALUE}.")
    int blockSize;

    @Option(names = "--prefill-us-per-token", paramLabel = "US", defaultValue = "100",
            description = "Simulated prefill time per computed token, microseconds. Default: ${DEFAULT-VALUE} (10K tokens/s, a 7B model on one NPU).")
    double prefillUs;

    @Option(names = "--store-tiers", paramLabel = "TIER[:TOKENS][,...]", defaultValue = "memory",
            description = "Tiers of the chunk store, fastest first, from memory, disk and redis; each but the last holds at most "
                    + "TOKENS tokens of chunks (least recently used dropped first), the last holds every stored chunk. A chunk "
                    + "loads from the fastest tier holding it and is then copied into the faster ones; a computed chunk is "
                    + "written to every tier. Example: memory:200000,disk:4000000,redis. Default: ${DEFAULT-VALUE}.")
    String storeTiers;

    @Option(names = "--load-us-per-token", paramLabel = "US|TIER=US[,...]",
            description = "Simulated time to bring one token's KV from a tier of the chunk store into HBM, microseconds: one "
                    + "number for a one-tier store, or a cost per tier. Defaults: memory 5 (128 KiB of Mistral-7B F16 KV per "
                    + "token at about 25 GB/s host-to-HBM), disk 18 and redis 55 (plus the disk and Redis reads of "
                    + "docs/chunk-store.md; measure yours with npukit bench chunk-store).")
    String loadUs;

    @Option(names = "--chunk-store", paramLabel = "warm|cold", defaultValue = "warm",
            description = "The external chunk store at the start, for every policy alike: warm (every chunk's KV is there, the corpus "
                    + "was processed offline, as in the paper) or cold (empty; a chunk enters it when a request first computes it). "
                    + "Default: ${DEFAULT-VALUE}.")
    String chunkStore;

    @Option(names = "--decode-ms-per-token", paramLabel = "MS", defaultValue = "25",
            description = "Simulated time per decoded token of a request, milliseconds. Default: ${DEFAULT-VALUE}.")
    double decodeMs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Seed of the generators and arrivals. Default: ${DEFAULT-VALUE}.")
    long seed;

    @CommandLine.Mixin
    JsonOption output;

    @Option(names = "--chart", paramLabel = "FILE", description = "Write blocks in use over time, one line per policy, to FILE.png or FILE.svg.")
    Path chart;

    @Override
    public Integer call() throws Exception {
        List<Policy> policies = policies();
        OptionChecks.positive(spec, "--hbm-blocks", hbmBlocks);
        OptionChecks.positive(spec, "--block-size", blockSize);
        OptionChecks.positive(spec, "--qps", qps);
        OptionChecks.notNegative(spec, "--prefill-us-per-token", prefillUs);
        OptionChecks.notNegative(spec, "--decode-ms-per-token", decodeMs);
        OptionChecks.positive(spec, "--requests", requests);
        OptionChecks.positive(spec, "--chunks", chunks);
        OptionChecks.positive(spec, "--corpus", corpus);
        OptionChecks.positive(spec, "--chunk-tokens", chunkTokens);
        OptionChecks.notNegative(spec, "--output-tokens", outputTokens);
        OptionChecks.notNegative(spec, "--zipf", zipf);
        ReplayConfig config;
        try {
            config = new ReplayConfig(hbmBlocks, blockSize, qps, prefillUs * 1e-6, decodeMs * 1e-3, seed, store(), tiers());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Path chartFile = null;
        if (chart != null) {
            String n = chart.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!n.endsWith(".png") && !n.endsWith(".svg")) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--chart: file must end in .png or .svg, got " + chart);
            }
            chartFile = OutputChecks.file(spec, "--chart", chart);
        }
        // Generated output lengths are uniform in [N/2, 3N/2].
        long maxOutput = outputTokens * 3L / 2;
        if (trace == null) {
            HeapBudget.check(spec, "--output-tokens", "a request of up to " + maxOutput + " output tokens",
                    heapBytes(0, 1, maxOutput, blockSize, policies.size()));
        }
        String name;
        List<ReplayRequest> stream;
        if (trace != null) {
            if (workload != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--trace and --workload: give one, not both");
            }
            name = "trace " + trace.getFileName();
            if (!Files.isRegularFile(trace)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--trace: no such file: " + trace);
            }
            try {
                stream = TraceReader.read(trace);
            } catch (java.io.IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--trace: " + Messages.io(e));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
            }
            if (stream.size() > requests) {
                stream = stream.subList(0, requests);
            }
            int longest = stream.stream().mapToInt(r -> r.request().maxNewTokens()).max().orElse(0);
            // The trace's tokens are in memory already; what the replay adds is per request.
            HeapBudget.check(spec, "--trace", "replaying " + stream.size() + " requests of up to " + longest
                    + " output tokens", heapBytes(0, stream.size(), longest, blockSize, policies.size()));
        } else {
            String w = workload == null ? "long-prompt" : workload.toLowerCase(Locale.ROOT);
            try {
                if (w.equals("long-prompt")) {
                    name = "long-prompt K=" + chunks;
                    // The corpus, then each request's copies of its chunks and a question of at most 96 tokens.
                    // Checked for one request first, so that the message names the option that does not fit.
                    double corpusTokens = (double) corpus * chunkTokens;
                    double requestTokens = (double) chunks * chunkTokens + 96;
                    HeapBudget.check(spec, "--chunk-tokens", String.format(Locale.ROOT, "a corpus of %d chunks of %d"
                            + " tokens", corpus, chunkTokens), heapBytes(corpusTokens + requestTokens, 1, 0, blockSize, 1));
                    HeapBudget.check(spec, "--requests", String.format(Locale.ROOT, "%d requests of %d chunks of %d"
                            + " tokens", requests, chunks, chunkTokens),
                            heapBytes(corpusTokens + requests * requestTokens, requests, maxOutput, blockSize, policies.size()));
                    stream = LongPromptWorkload.generate(chunks, corpus, chunkTokens, requests, outputTokens, zipf, seed);
                } else {
                    Table1Workload.Dataset d = dataset(w);
                    name = d.name().toLowerCase(Locale.ROOT);
                    // Chunk lengths reach 1.5x the mean; each request holds copies of its chunks.
                    HeapBudget.check(spec, "--requests", "a " + name + " workload of " + requests + " requests",
                            heapBytes(1.5 * d.meanPromptTokens * (double) requests, requests, maxOutput, blockSize,
                                    policies.size()));
                    stream = Table1Workload.generate(d, requests, outputTokens, zipf, seed);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
            }
        }
        if (chartFile != null) {
            spec.commandLine().getErr().println("chart: " + chartFile);
        }
        WorkloadStats stats = WorkloadStats.of(stream);
        Replay replay = new Replay(config, stream);
        List<ReplayResult> results = new ArrayList<>();
        PrintWriter err = spec.commandLine().getErr();
        for (Policy p : policies) {
            int total = stream.size();
            int[] nextReport = {Math.max(1, total / 4)};
            err.printf("replay %s: %s, %d requests...%n", name, p, total);
            err.flush();
            long t0 = System.nanoTime();
            results.add(replay.run(p, done -> {
                if (done >= nextReport[0] && done < total) {
                    err.printf("  %s: %d/%d requests done%n", p, done, total);
                    err.flush();
                    nextReport[0] += Math.max(1, total / 4);
                }
            }));
            err.printf("  %s: done in %.1f s%n", p, (System.nanoTime() - t0) / 1e9);
            err.flush();
        }
        if (chart != null) {
            MemoryChart.write(chartFile, "KV blocks in use: " + name + ", QPS " + fmt(qps), hbmBlocks, results);
            err.println("chart written to " + chartFile);
            err.flush();
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(toJson(name, config, stats, results));
        } else {
            printTable(out, name, config, stats, results);
        }
        out.flush();
        return 0;
    }

    /** The store's tiers from --store-tiers and --load-us-per-token, each cost defaulting to its kind's. */
    private StoreTiers tiers() {
        String[] specs = storeTiers.split(",", -1);
        List<String> names = new ArrayList<>();
        long[] capacities = new long[specs.length];
        for (int i = 0; i < specs.length; i++) {
            String[] parts = specs[i].trim().split(":", -1);
            if (parts.length > 2 || (i < specs.length - 1) != (parts.length == 2)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--store-tiers: '" + specs[i].trim()
                        + "': give TIER:TOKENS for every tier but the last, and TIER alone for the last");
            }
            names.add(parts[0].toLowerCase(Locale.ROOT));
            capacities[i] = Long.MAX_VALUE;
            if (parts.length == 2) {
                try {
                    capacities[i] = Long.parseLong(parts[1].trim());
                } catch (NumberFormatException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--store-tiers: '" + specs[i].trim()
                            + "': TOKENS must be a whole number");
                }
            }
        }
        Map<String, Double> costs = loadCosts(names);
        List<StoreTiers.Tier> tiers = new ArrayList<>();
        try {
            for (int i = 0; i < specs.length; i++) {
                String name = names.get(i);
                double seconds = costs.containsKey(name) ? costs.get(name) : StoreTiers.defaultSecondsPerToken(name);
                tiers.add(new StoreTiers.Tier(name, capacities[i], seconds));
            }
            return new StoreTiers(tiers);
        } catch (IllegalArgumentException e) {
            // The record's message names its own argument (tiers, capacityTokens, ...); the user typed --store-tiers.
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--store-tiers: " + e.getMessage().replaceFirst("^\\w+: ", ""));
        }
    }

    /** --load-us-per-token as seconds per tier name; a bare number is the cost of a one-tier store. */
    private Map<String, Double> loadCosts(List<String> tierNames) {
        Map<String, Double> costs = new HashMap<>();
        if (loadUs == null) {
            return costs;
        }
        if (!loadUs.contains("=")) {
            if (tierNames.size() != 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--load-us-per-token: the store has "
                        + tierNames.size() + " tiers; give TIER=US for each tier whose default you change");
            }
            costs.put(tierNames.get(0), micros(loadUs));
            return costs;
        }
        for (String item : loadUs.split(",", -1)) {
            String[] kv = item.split("=", -1);
            String name = kv[0].trim().toLowerCase(Locale.ROOT);
            if (kv.length != 2 || !tierNames.contains(name)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--load-us-per-token: '" + item.trim()
                        + "' is not TIER=US for a tier of --store-tiers (" + storeTiers + ")");
            }
            costs.put(name, micros(kv[1]));
        }
        return costs;
    }

    private double micros(String text) {
        double us;
        try {
            us = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--load-us-per-token: '" + text.trim()
                    + "' is not a number of microseconds");
        }
        OptionChecks.notNegative(spec, "--load-us-per-token", us);
        return us * 1e-6;
    }

    private List<Policy> policies() {
        if (policy.equalsIgnoreCase("all")) {
            return List.of(Policy.values());
        }
        try {
            return List.of(Policy.parse(policy));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage() + " or ALL");
        }
    }

    private ReplayConfig.Store store() {
        for (ReplayConfig.Store s : ReplayConfig.Store.values()) {
            if (s.name().equalsIgnoreCase(chunkStore)) {
                return s;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "--chunk-store: unknown store '" + chunkStore + "', expected warm or cold");
    }

    private Table1Workload.Dataset dataset(String w) {
        for (Table1Workload.Dataset d : Table1Workload.Dataset.values()) {
            if (d.name().equalsIgnoreCase(w)) {
                return d;
            }
        }
        throw new CommandLine.ParameterException(spec.commandLine(),
                "--workload: unknown workload '" + w + "', expected squad, newsqa, narrativeqa, emrqa or long-prompt");
    }

    private void printTable(PrintWriter out, String name, ReplayConfig c, WorkloadStats s, List<ReplayResult> results) {
        out.printf("workload %s: %d requests, mean prompt %.0f tokens, chunk reuse %.1f%%, %d distinct chunks, mean output %.0f tokens%n",
                name, s.requests(), s.meanPromptTokens(), s.reusePercent(), s.distinctChunks(), s.meanOutputTokens());
        out.printf("QPS %s, budget %d blocks of %d tokens, %s chunk store%n%n", fmt(qps), hbmBlocks, blockSize,
                store().name().toLowerCase(Locale.ROOT));
        String head = String.format("%-10s %8s %9s %7s %9s %14s %8s %12s %6s %8s %9s %9s",
                "policy", "peak", "mean", "peak%", "resident", "computed tok", "computed%", "loaded tok", "queued", "rejected",
                "p50 lat s", "p99 lat s");
        out.println(head);
        out.println("-".repeat(head.length()));
        for (ReplayResult r : results) {
            out.printf("%-10s %8d %9.1f %6.1f%% %9d %14d %8.1f%% %12d %6d %8d %9.2f %9.2f%n", r.policy(), r.peakBlocks(), r.meanBlocks(),
                    100.0 * r.peakBlocks() / hbmBlocks, r.peakResidentBlocks(), r.computedTokens(),
                    r.promptTokens() == 0 ? 0.0 : 100.0 * r.computedTokens() / r.promptTokens(), r.loadedTokens(), r.queued(), r.rejected(),
                    r.latencyQuantileS(0.5), r.latencyQuantileS(0.99));
        }
        List<StoreTiers.Tier> tiers = c.tiers().tiers();
        if (tiers.size() > 1) {
            for (ReplayResult r : results) {
                if (r.loadedTokens() > 0) {
                    StringBuilder line = new StringBuilder(String.format("%s loaded tokens by tier:", r.policy()));
                    for (int t = 0; t < tiers.size(); t++) {
                        line.append(String.format(Locale.ROOT, " %s %d (%.1f%%)", tiers.get(t).name(),
                                r.loadedTokensByTier()[t], 100.0 * r.loadedTokensByTier()[t] / r.loadedTokens()));
                    }
                    out.println(line);
                }
            }
        }
        ReplayResult mepic = find(results, Policy.MEPIC);
        if (mepic != null && mepic.peakBlocks() > 0) {
            for (Policy p : List.of(Policy.EPIC, Policy.CACHEBLEND)) {
                ReplayResult r = find(results, p);
                if (r != null) {
                    out.printf("%s peak / MEPIC peak = %.2fx%n", p, (double) r.peakBlocks() / mepic.peakBlocks());
                }
            }
        }
        out.println();
        out.println("peak, mean: blocks in use (peak, time-weighted mean); peak% = peak / budget; resident: most blocks"
                + " off the free list, evictable cached blocks included; computed% = computed / prompt tokens;"
                + " queued: requests that waited for blocks; rejected: requests larger than the pool; latency:"
                + " arrival to last token, simulated; X peak / MEPIC peak: how many times MEPIC's peak X needs.");
    }

    /**
     * Heap a replay needs, from its declared sizes (a lower bound; see {@link HeapBudget}): 8 bytes per token held
     * (a generator's or the trace reader's array and the Segment's own copy) and, per request, 256 bytes (the
     * request, its segments, its plan and queue entries) plus one blocks-in-use sample per event (arrival, load,
     * prefill and one per block of output): 64 bytes while a policy runs, 12 bytes per policy in the results.
     */
    static double heapBytes(double tokens, double requests, double maxOutputTokens, int blockSize, int policies) {
        double samplesPerRequest = 4 + Math.ceil(maxOutputTokens / blockSize);
        return 8 * tokens + requests * (256 + samplesPerRequest * (64 + 12.0 * policies));
    }

    private static ReplayResult find(List<ReplayResult> results, Policy p) {
        return results.stream().filter(r -> r.policy() == p).findFirst().orElse(null);
    }

    private String toJson(String name, ReplayConfig c, WorkloadStats s, List<ReplayResult> results) throws Exception {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        ObjectNode w = root.putObject("workload");
        w.put("name", name);
        w.put("requests", s.requests());
        w.put("meanPromptTokens", s.meanPromptTokens());
        w.put("chunkReusePercent", s.reusePercent());
        w.put("distinctChunks", s.distinctChunks());
        w.put("meanOutputTokens", s.meanOutputTokens());
        ObjectNode cfg = root.putObject("config");
        cfg.put("qps", c.qps());
        cfg.put("hbmBlocks", c.hbmBlocks());
        cfg.put("blockSize", c.blockSize());
        cfg.put("prefillSecondsPerToken", c.prefillSecondsPerToken());
        cfg.put("decodeSecondsPerToken", c.decodeSecondsPerToken());
        cfg.put("loadSecondsPerToken", c.loadSecondsPerToken());
        cfg.put("chunkStore", c.store().name().toLowerCase(Locale.ROOT));
        ArrayNode tierNodes = cfg.putArray("storeTiers");
        for (StoreTiers.Tier t : c.tiers().tiers()) {
            ObjectNode tn = tierNodes.addObject();
            tn.put("name", t.name());
            if (t.unbounded()) {
                tn.putNull("capacityTokens");
            } else {
                tn.put("capacityTokens", t.capacityTokens());
            }
            tn.put("loadSecondsPerToken", t.loadSecondsPerToken());
        }
        cfg.put("seed", c.seed());
        ObjectNode ps = root.putObject("policies");
        for (ReplayResult r : results) {
            ObjectNode p = ps.putObject(r.policy().name());
            p.put("peakBlocks", r.peakBlocks());
            p.put("meanBlocks", r.meanBlocks());
            p.put("peakPercentOfBudget", 100.0 * r.peakBlocks() / c.hbmBlocks());
            p.put("peakResidentBlocks", r.peakResidentBlocks());
            p.put("computedTokens", r.computedTokens());
            p.put("loadedTokens", r.loadedTokens());
            ObjectNode byTier = p.putObject("loadedTokensByTier");
            for (int t = 0; t < c.tiers().tiers().size(); t++) {
                byTier.put(c.tiers().tiers().get(t).name(), r.loadedTokensByTier()[t]);
            }
            p.put("promptTokens", r.promptTokens());
            p.put("queued", r.queued());
            p.put("rejected", r.rejected());
            p.put("completed", r.completed());
            putNumber(p, "meanLatencyS", r.meanLatencyS());
            putNumber(p, "p50LatencyS", r.latencyQuantileS(0.5));
            putNumber(p, "p99LatencyS", r.latencyQuantileS(0.99));
        }
        return m.writeValueAsString(root);
    }

    /** JSON has no NaN: a statistic of no requests is null. */
    private static void putNumber(ObjectNode n, String key, double v) {
        if (Double.isNaN(v)) {
            n.putNull(key);
        } else {
            n.put(key, v);
        }
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
