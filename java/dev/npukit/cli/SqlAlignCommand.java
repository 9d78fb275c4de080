package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.sqlalign.AlignmentReport;
import dev.npukit.sqlalign.KlDivergence;
import dev.npukit.sqlalign.NgramProfile;
import dev.npukit.sqlalign.ProfileBuilder;
import dev.npukit.sqlalign.QueryFile;
import dev.npukit.sqlalign.SqlExample;
import dev.npukit.sqlalign.TemplateSet;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code npukit sql-align}: KL-alignment of a training set, a target set and optionally predictions. */
@Command(
        name = "sql-align",
        mixinStandardHelpOptions = true,
        description = {
            "Compares the structural SQL n-gram distributions of a training set, a target set and optionally"
                    + " a model's predictions on the target before fine-tuning (arXiv 2510.04919).",
            "Prints D_KL (nats) and A_KL = exp(-D_KL / c) for train->target, target->train (and"
                    + " predictions->target, target->predictions), and the n-grams that contribute most."
                    + " Files: .jsonl/.json (JSON Lines, field \"sql\") or .sql/.txt (one query per line)."
        })
final class SqlAlignCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "Training set.")
    Path train;

    @Option(names = "--target", required = true, paramLabel = "FILE", description = "Target set.")
    Path target;

    @Option(names = "--predictions", paramLabel = "FILE",
            description = "A model's predictions on the target before fine-tuning (optional).")
    Path predictions;

    @Option(names = "--max-n", paramLabel = "N", defaultValue = "15",
            description = "Longest n-gram counted. Default: ${DEFAULT-VALUE}.")
    int maxN;

    @Option(names = "--c", paramLabel = "C",
            description = "Scale of A_KL = exp(-D_KL / c). Default: the largest D_KL of this report, so its lowest"
                    + " score is 1/e; such scores rank only this report's comparisons. Give --c to make scores"
                    + " comparable across runs.")
    Double c;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5",
            description = "Pseudo-count in Q of an n-gram that P has and Q lacks (Q renormalised). Default:"
                    + " ${DEFAULT-VALUE}.")
    double alpha;

    @Option(names = "--top", paramLabel = "K", defaultValue = "10",
            description = "How many top divergent n-grams to list per direction. Default: ${DEFAULT-VALUE}.")
    int top;

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        requireFile(spec, "--train", train);
        requireFile(spec, "--target", target);
        if (predictions != null) {
            requireFile(spec, "--predictions", predictions);
        }
        checkHeap(spec, maxN, train, target, predictions);
        AlignmentReport.Options options;
        ProfileBuilder builder;
        try {
            options = new AlignmentReport.Options(c, alpha, top);
            builder = new ProfileBuilder(maxN);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        NgramProfile trainProfile = profile(err, builder, train);
        NgramProfile targetProfile = profile(err, builder, target);
        NgramProfile predictionProfile = predictions == null ? null : profile(err, builder, predictions);
        err.println("computing D_KL");
        AlignmentReport report = AlignmentReport.compare(trainProfile, targetProfile, predictionProfile, options);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            out.println(jsonWriter().writeValueAsString(
                    toJson(report, maxN, trainProfile, targetProfile, predictionProfile)));
        } else {
            printHuman(out, report, trainProfile, targetProfile, predictionProfile);
        }
        out.flush();
        return 0;
    }

    /** Reads one file and profiles it, with progress and template failures on {@code err}. */
    static NgramProfile profile(PrintWriter err, ProfileBuilder builder, Path file) {
        err.println("reading " + file);
        List<SqlExample> examples = QueryFile.read(file);
        TemplateSet templates = TemplateSet.of(examples.stream().map(SqlExample::sql).toList());
        if (!templates.failures().isEmpty()) {
            err.printf("warning: %s: %d queries got no template (they are left out), first: %s%n", file,
                    templates.failures().size(), templates.failures().get(0));
        }
        NgramProfile p = builder.fromTemplates(file.getFileName().toString(), templates);
        err.println(String.format("  %d queries, %d distinct templates, %d n-grams (%d distinct)", p.queries(),
                templates.distinct().size(), p.total(), p.distinctNgrams()));
        return p;
    }

    /**
     * Refuses input files whose profiles cannot fit in the heap. The profiles dominate: their n-grams grow with
     * the input and, more slowly, with the longest n-gram counted, until n-grams longer than the queries add
     * nothing. The estimate, input bytes x (2 + min(maxN, 40) / 16), stays below what a sweep of java -Xmx
     * measured for Spider train + BIRD train (5.2 MB): 12-16 MB of heap needed at --max-n 2, 20-24 MB at 15,
     * 24-32 MB at 40.
     */
    static void checkHeap(CommandLine.Model.CommandSpec spec, int maxN, Path... files) {
        double bytes = 0;
        for (Path f : files) {
            if (f != null) {
                try {
                    bytes += Files.size(f);
                } catch (java.io.IOException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), f + ": " + Messages.io(e));
                }
            }
        }
        HeapBudget.check(spec, "--train", String.format(java.util.Locale.ROOT,
                "profiling %.1f MB of queries at --max-n %d", bytes / 1e6, maxN),
                bytes * (2 + Math.min(Math.max(maxN, 1), 40) / 16.0));
    }

    /** Fails as a usage error (exit 2) naming the option when a file is missing. */
    static void requireFile(CommandLine.Model.CommandSpec spec, String option, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": no such file: " + file);
        }
    }

    static ObjectMapper jsonWriter() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    }

    static Map<String, Object> setJson(Path file, NgramProfile p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("queries", p.queries());
        m.put("templateFailures", p.failures().size());
        m.put("ngrams", p.total());
        m.put("distinctNgrams", p.distinctNgrams());
        return m;
    }

    private Map<String, Object> toJson(AlignmentReport r, int maxN, NgramProfile tr, NgramProfile tg,
            NgramProfile pr) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("klTrainTarget", r.trainTarget().kl());
        m.put("alignmentTrainTarget", r.trainTarget().alignment());
        m.put("klTargetTrain", r.targetTrain().kl());
        m.put("alignmentTargetTrain", r.targetTrain().alignment());
        if (r.hasPredictions()) {
            m.put("klPredictionsTarget", r.predictionsTarget().kl());
            m.put("alignmentPredictionsTarget", r.predictionsTarget().alignment());
            m.put("klTargetPredictions", r.targetPredictions().kl());
            m.put("alignmentTargetPredictions", r.targetPredictions().alignment());
        }
        m.put("c", r.c());
        m.put("cGiven", r.cGiven());
        m.put("alpha", r.alpha());
        m.put("maxN", maxN);
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("train", setJson(train, tr));
        sets.put("target", setJson(target, tg));
        if (pr != null) {
            sets.put("predictions", setJson(predictions, pr));
        }
        m.put("sets", sets);
        m.put("topTrainTarget", r.topTrainTarget());
        m.put("topTargetTrain", r.topTargetTrain());
        if (r.hasPredictions()) {
            m.put("topPredictionsTarget", r.topPredictionsTarget());
        }
        return m;
    }

    private void printHuman(PrintWriter out, AlignmentReport r, NgramProfile tr, NgramProfile tg, NgramProfile pr) {
        out.printf("sets (n = 1..%d):%n", maxN);
        printSet(out, "train", tr);
        printSet(out, "target", tg);
        if (pr != null) {
            printSet(out, "predictions", pr);
        }
        out.printf("%nc = %.4f (%s), alpha = %s%n", r.c(),
                r.cGiven() ? "given" : "largest D_KL of this report, so its lowest A_KL is 1/e", r.alpha());
        out.printf("%-44s %10s %8s%n", "comparison", "D_KL", "A_KL");
        for (AlignmentReport.Comparison cmp : r.comparisons()) {
            out.printf("%-44s %10.4f %8.4f%n", "D(" + cmp.from() + " || " + cmp.to() + ")", cmp.kl(), cmp.alignment());
        }
        printTop(out, "n-grams the training set has more of than the target (top of D(train || target))",
                r.topTrainTarget());
        printTop(out, "n-grams the target has more of than the training set (top of D(target || train))",
                r.topTargetTrain());
        if (pr != null) {
            printTop(out, "n-grams the predictions have more of than the target (top of D(predictions || target))",
                    r.topPredictionsTarget());
        }
    }

    private static void printSet(PrintWriter out, String role, NgramProfile p) {
        out.printf("  %-12s %-28s %6d queries, %8d n-grams, %6d distinct%s%n", role, p.name(), p.queries(),
                p.total(), p.distinctNgrams(),
                p.failures().isEmpty() ? "" : ", " + p.failures().size() + " without template");
    }

    private static void printTop(PrintWriter out, String title, List<KlDivergence.Contribution> top) {
        if (top.isEmpty()) {
            return;
        }
        out.printf("%n%s:%n  %9s %9s %9s  %s%n", title, "share", "P", "Q", "n-gram");
        for (KlDivergence.Contribution t : top) {
            out.printf("  %9.4f %9.5f %9.5f%s %s%n", t.contribution(), t.p(), t.q(), t.missingFromQ() ? "*" : " ",
                    t.ngram());
        }
        out.println("  (* = missing from Q, smoothed)");
    }
}
