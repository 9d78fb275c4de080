package dev.npukit.cli;

import dev.npukit.sqlalign.AlignmentReport;
import dev.npukit.sqlalign.DataSelector;
import dev.npukit.sqlalign.KlDivergence;
import dev.npukit.sqlalign.LinesFile;
import dev.npukit.sqlalign.NgramProfile;
import dev.npukit.sqlalign.ProfileBuilder;
import dev.npukit.sqlalign.QueryFile;
import dev.npukit.sqlalign.SqlExample;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code npukit sql-select}: writes the training examples that raise alignment with a target most. */
@Command(
        name = "sql-select",
        mixinStandardHelpOptions = true,
        description = {
            "Ranks training examples greedily by how much they lower D_KL(selected || target), i.e. raise"
                    + " A_KL to the target, and writes the top ones to --out (lines copied as read, in input"
                    + " order; via a temporary file, so --out is never half-written).",
            "Files: .jsonl/.json (JSON Lines, field \"sql\") or .sql/.txt (one query per line)."
        })
final class SqlSelectCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--train", required = true, paramLabel = "FILE", description = "Training set to select from.")
    Path train;

    @Option(names = "--target", required = true, paramLabel = "FILE", description = "Target set.")
    Path target;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Size size;

    static final class Size {
        @Option(names = "--top", paramLabel = "N", description = "Select the best N examples.")
        Integer top;

        @Option(names = "--fraction", paramLabel = "F", description = "Select this fraction (0, 1] of the examples.")
        Double fraction;
    }

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the selection.")
    Path out;

    @Option(names = "--max-n", paramLabel = "N", defaultValue = "15",
            description = "Longest n-gram counted. Default: ${DEFAULT-VALUE}.")
    int maxN;

    @Option(names = "--c", paramLabel = "C",
            description = "Scale of A_KL = exp(-D_KL / c). Default: the larger D_KL of the two comparisons printed"
                    + " (all training data vs selection), so the lower score is 1/e.")
    Double c;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.5",
            description = "Pseudo-count in Q of an n-gram that P has and Q lacks. Default: ${DEFAULT-VALUE}.")
    double alpha;

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        SqlAlignCommand.requireFile(spec, "--train", train);
        SqlAlignCommand.requireFile(spec, "--target", target);
        Path outFile = OutputChecks.file(spec, "--out", out);
        if (size.top != null && size.top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top: is " + size.top + ", expected >= 1");
        }
        if (size.fraction != null && !(size.fraction > 0 && size.fraction <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--fraction: is " + size.fraction + ", expected a value in (0, 1]");
        }
        if (c != null && !(c > 0 && Double.isFinite(c))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--c: is " + c + ", expected a value > 0");
        }
        ProfileBuilder builder;
        try {
            builder = new ProfileBuilder(maxN);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-n: " + e.getMessage());
        }
        SqlAlignCommand.checkHeap(spec, maxN, train, target);
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        err.println("selection: " + outFile);
        NgramProfile targetProfile = SqlAlignCommand.profile(err, builder, target);
        err.println("reading " + train);
        List<SqlExample> examples = QueryFile.read(train);
        List<String> sql = examples.stream().map(SqlExample::sql).toList();
        err.println(String.format("ranking %d training examples", examples.size()));
        DataSelector.Ranking ranking = DataSelector.rank(builder, train.getFileName().toString(), sql,
                targetProfile, alpha);
        if (!ranking.unranked().isEmpty()) {
            err.printf("warning: %s: %d queries got no template or n-grams and are never selected%n",
                    train, ranking.unranked().size());
        }
        int n = size.top != null ? size.top : DataSelector.countForFraction(examples.size(), size.fraction);
        int[] picked = DataSelector.top(ranking, n);
        List<String> lines = new ArrayList<>(picked.length);
        List<String> pickedSql = new ArrayList<>(picked.length);
        for (int k : picked) {
            lines.add(examples.get(k).rawLine());
            pickedSql.add(sql.get(k));
        }
        NgramProfile selected = builder.fromQueries(out.getFileName().toString(), pickedSql);
        double klAll = KlDivergence.of(ranking.train(), targetProfile, alpha);
        double klSelected = KlDivergence.of(selected, targetProfile, alpha);
        double scale = c != null ? c : AlignmentReport.scaleFor(List.of(klAll, klSelected));
        LinesFile.write(out, lines);
        err.println("wrote " + picked.length + " examples to " + out);
        if (output.json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("selected", picked.length);
            m.put("trainQueries", examples.size());
            m.put("out", out.toString());
            m.put("klTrainTarget", klAll);
            m.put("alignmentTrainTarget", AlignmentReport.alignment(klAll, scale));
            m.put("klSelectedTarget", klSelected);
            m.put("alignmentSelectedTarget", AlignmentReport.alignment(klSelected, scale));
            m.put("c", scale);
            m.put("cGiven", c != null);
            m.put("alpha", alpha);
            m.put("maxN", maxN);
            stdout.println(SqlAlignCommand.jsonWriter().writeValueAsString(m));
        } else {
            stdout.printf("selected %d of %d examples from %s into %s%n", picked.length, examples.size(),
                    train, out);
            stdout.printf("c = %.4f (%s)%n", scale, c != null ? "given" : "larger D_KL below, so its A_KL is 1/e");
            stdout.printf("%-40s %10s %8s%n", "comparison", "D_KL", "A_KL");
            stdout.printf("%-40s %10.4f %8.4f%n", "D(all training || target)", klAll,
                    AlignmentReport.alignment(klAll, scale));
            stdout.printf("%-40s %10.4f %8.4f%n", "D(selected || target)", klSelected,
                    AlignmentReport.alignment(klSelected, scale));
        }
        stdout.flush();
        return 0;
    }
}
