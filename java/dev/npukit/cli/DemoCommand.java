package dev.npukit.cli;

import dev.npukit.model.LlamaConfig;
import dev.npukit.serving.store.RedisTarget;
import dev.npukit.util.AtomicFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code npukit demo}: checks its options and where the report goes, lets {@link DemoRunner} do
 * the work and {@link DemoReport} render it, and writes {@code report.html} into {@code --out}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serves a RAG workload with a small Llama model under the NONE, PREFIX, EPIC, CACHEBLEND and"
                + " MEPIC cache policies, runs CoLD against greedy decoding on a LoRA adapter, self-checks every"
                + " kernel on every backend, and writes an HTML report (tables and a blocks-over-time chart).")
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--requests", paramLabel = "N", defaultValue = "48", description = "RAG requests. Default: ${DEFAULT-VALUE}.")
    int requests;

    @Option(names = "--documents", paramLabel = "N", defaultValue = "16",
            description = "Documents in the corpus. Default: ${DEFAULT-VALUE}.")
    int documents;

    @Option(names = "--doc-tokens", paramLabel = "T", defaultValue = "160",
            description = "Mean tokens per document. Default: ${DEFAULT-VALUE}.")
    int docTokens;

    @Option(names = "--chunks", paramLabel = "K", defaultValue = "3", description = "Documents per request. Default: ${DEFAULT-VALUE}.")
    int chunks;

    @Option(names = "--new-tokens", paramLabel = "N", defaultValue = "8",
            description = "Tokens generated per request. Default: ${DEFAULT-VALUE}.")
    int newTokens;

    @Option(names = "--chunk-store", paramLabel = "SPEC", defaultValue = "memory",
            description = "Where computed document chunks' KV is kept and loaded from: memory, disk:DIR, or"
                    + " redis://HOST:PORT[,HOST:PORT...] (a Redis Cluster by its seed nodes; rediss:// for TLS)."
                    + " Default: ${DEFAULT-VALUE}.")
    String chunkStore;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/demo",
            description = "Report folder, created if missing; a relative path is taken from the working directory."
                    + " Default: ${DEFAULT-VALUE}.")
    Path outDir;

    @CommandLine.Mixin
    JsonOption output;

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
        checkChunkStore();
        DemoRunner.Options options = new DemoRunner.Options(requests, documents, docTokens, chunks, newTokens,
                chunkStore);
        LlamaConfig cfg = LlamaConfig.small();
        if (options.maxRequestPositions() > cfg.maxPositions()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--doc-tokens: a request of " + chunks
                    + " documents of up to " + options.maxDocTokens() + " tokens, a " + DemoRunner.QUESTION_TOKENS
                    + "-token question and " + newTokens + " new tokens takes " + options.maxRequestPositions()
                    + " positions; the demo model has " + cfg.maxPositions());
        }
        HeapBudget.check(spec, "--requests", "a workload of " + requests + " requests and " + documents
                + " documents of about " + docTokens + " tokens", DemoRunner.heapBytes(options, cfg));
        Path dir = OutputChecks.folder(spec, "--out", outDir);
        Path report = dir.resolve("report.html");
        PrintWriter err = spec.commandLine().getErr();
        err.println("report: " + report);
        err.flush();

        DemoRunner.Result result = DemoRunner.run(options, new Progress(err));
        DemoReport text = new DemoReport(result);
        byte[] png = DemoChart.png(result.serving(), DemoRunner.POOL_BLOCKS);
        AtomicFiles.writeString(report, text.html(png));
        err.println("report written to " + report);
        err.flush();

        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(text.json(report));
        } else {
            text.printText(out, report);
        }
        out.flush();
        if (!result.allChecksPassed()) {
            long failed = result.checks().stream().filter(c -> !c.passed() && c.note() == null).count();
            err.println(spec.qualifiedName() + ": error: " + failed + " kernel self-checks exceeded their bound (see"
                    + " the table)");
            err.flush();
            return 1;
        }
        return 0;
    }

    /** The --chunk-store spec's form, checked before anything runs (the store itself opens later, per engine). */
    private void checkChunkStore() {
        String rule = "must be memory, disk:DIR or redis://HOST:PORT[,HOST:PORT...], got " + chunkStore;
        if (chunkStore.equals("memory") || (chunkStore.startsWith("disk:") && chunkStore.length() > 5)) {
            return;
        }
        if (!RedisTarget.isRedisUri(chunkStore)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--chunk-store: " + rule);
        }
        try {
            RedisTarget.parse(chunkStore);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--chunk-store: " + e.getMessage());
        }
    }
}
