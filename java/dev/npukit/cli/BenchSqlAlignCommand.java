package dev.npukit.cli;

import dev.npukit.bench.Quantile;
import dev.npukit.sqlalign.AlignmentReport;
import dev.npukit.sqlalign.NgramProfile;
import dev.npukit.sqlalign.ProfileBuilder;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code npukit bench sqlalign}: the whole job of one {@code sql-align} run on Spider train + BIRD
 * train (about 18k queries), in process: read both files, template and profile them, and compute the
 * alignment report between them. JVM start-up is excluded; warm-up runs let the JIT compile first.
 */
@Command(
        name = "sqlalign",
        mixinStandardHelpOptions = true,
        description = "Times reading and profiling Spider train and BIRD train and the alignment report between them:"
                + " warm-up runs, then repeated runs; prints the median, min and max. The first warm-up run is"
                + " reported apart as the cold time, so --warmup is at least 1.")
final class BenchSqlAlignCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "${env:NPUKIT_HOME:-.}/data/nl2sql",
            description = "Folder with spider_train.jsonl and bird_train.jsonl. Default: data/nl2sql of the npukit"
                    + " checkout, which scripts/run.sh names in NPUKIT_HOME, else of the working directory: ${DEFAULT-VALUE}.")
    Path data;

    @CommandLine.Mixin
    TimingOptions timing = TimingOptions.defaults(5, 15);

    @Option(names = "--max-n", paramLabel = "N", defaultValue = "15",
            description = "Longest n-gram counted. Default: ${DEFAULT-VALUE}.")
    int maxN;

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        // At least one warm-up run: the first is reported apart as the cold time.
        timing.check(spec, 1);
        int warmup = timing.warmup;
        int runs = timing.runs;
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path spider = data.resolve("spider_train.jsonl");
        Path bird = data.resolve("bird_train.jsonl");
        SqlAlignCommand.requireFile(spec, "--data", spider);
        SqlAlignCommand.requireFile(spec, "--data", bird);
        // The first run includes class loading and interpretation: shown, never part of the median.
        long f0 = System.nanoTime();
        int queries = once(spider, bird);
        double firstMs = (System.nanoTime() - f0) / 1e6;
        err.printf("first run: %.1f ms%n", firstMs);
        for (int k = 1; k < warmup; k++) {
            err.printf("warm-up %d/%d%n", k + 1, warmup);
            once(spider, bird);
        }
        double[] ms = new double[runs];
        for (int k = 0; k < runs; k++) {
            long t0 = System.nanoTime();
            queries = once(spider, bird);
            ms[k] = (System.nanoTime() - t0) / 1e6;
            err.printf("run %d/%d: %.1f ms%n", k + 1, runs, ms[k]);
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = Quantile.median(ms);
        int cores = Runtime.getRuntime().availableProcessors();
        if (output.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("benchmark", "sqlalign");
            m.put("queries", queries);
            m.put("maxN", maxN);
            m.put("warmup", warmup);
            m.put("runs", runs);
            m.put("medianMs", median);
            m.put("minMs", sorted[0]);
            m.put("maxMs", sorted[runs - 1]);
            m.put("timesMs", ms);
            m.put("firstRunMs", firstMs);
            m.put("cores", cores);
            m.put("java", System.getProperty("java.version"));
            out.println(SqlAlignCommand.jsonWriter().writeValueAsString(m));
        } else {
            out.printf("sqlalign: read + template + profile %d queries (Spider train + BIRD train, n = 1..%d)"
                    + " + alignment report%n", queries, maxN);
            out.printf("median %.1f ms, min %.1f ms, max %.1f ms over %d runs after %d warm-up runs"
                    + " (%d cores, Java %s); first (cold) run %.1f ms%n", median, sorted[0], sorted[runs - 1], runs,
                    warmup, cores, System.getProperty("java.version"), firstMs);
        }
        out.flush();
        return 0;
    }

    /** One full job; returns the number of queries profiled. */
    private int once(Path spider, Path bird) {
        ProfileBuilder builder = new ProfileBuilder(maxN);
        NgramProfile a = builder.fromFile(spider);
        NgramProfile b = builder.fromFile(bird);
        AlignmentReport report = AlignmentReport.compare(a, b, null, AlignmentReport.Options.defaults());
        if (!(report.trainTarget().kl() >= 0)) {
            throw new IllegalStateException("D_KL is " + report.trainTarget().kl());
        }
        return a.queries() + b.queries();
    }
}
