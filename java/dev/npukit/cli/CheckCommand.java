package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.check.CaseResult;
import dev.npukit.check.KernelCase;
import dev.npukit.check.KernelCases;
import dev.npukit.check.KernelCheck;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code npukit check}: runs the kernel case registry ({@link KernelCases#all()}) on one backend
 * against the reference (docs/check.md). A line per failing case, then the worst relative error
 * per kernel and dtype, then {@code N cases, M failed}; exit code 1 when any case failed.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Run every registered kernel case on a backend and compare it with the reference "
                + "within the documented bounds (docs/kernels.md). Exit code 1 when a case fails.")
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    JsonOption output;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to check: ascend, cpu or reference (default: the best available).")
    String backend;

    @Option(names = "--filter", paramLabel = "REGEX",
            description = "Run only the cases whose name contains a match (e.g. 'attention', 'cache=BF16', '^rope/').")
    String filter;

    @Override
    public Integer call() throws Exception {
        List<KernelCase> cases = selectedCases();
        Backend b = BackendText.select(spec, "--backend", backend);
        Backend reference = Backends.get("reference");
        Progress progress = new Progress(spec.commandLine().getErr());
        progress.say("checking " + cases.size() + " cases on " + BackendText.of(b) + " against the reference");
        List<CaseResult> results = new ArrayList<>();
        String kernel = null;
        for (KernelCase c : cases) {
            if (!c.kernel().equals(kernel)) {
                kernel = c.kernel();
                progress.say(kernel + " (" + results.size() + "/" + cases.size() + " done)");
            }
            results.add(KernelCheck.run(c, b, reference));
        }
        progress.done();
        List<CaseResult> failures = results.stream().filter(r -> !r.passed()).toList();
        List<Map<String, Object>> worst = worst(results);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("backend", b.name());
            report.put("mode", b.info().mode());
            report.put("cases", results.size());
            report.put("failed", failures.size());
            report.put("worst", worst);
            List<Map<String, Object>> failed = new ArrayList<>();
            for (CaseResult r : failures) {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("case", r.name());
                f.put("kernel", r.kernel());
                f.put("dtype", r.dtype().name());
                f.put("error", r.error());
                f.put("bound", r.bound());
                f.put("message", r.message());
                failed.add(f);
            }
            report.put("failures", failed);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            for (CaseResult r : failures) {
                out.println("FAILED " + r.name() + ": " + r.message());
            }
            TextTable table = new TextTable("kernel", "dtype", "cases", "failed", "worst error", "bound");
            for (Map<String, Object> w : worst) {
                table.row(w.get("kernel"), w.get("dtype"), w.get("cases"), w.get("failed"),
                        String.format(Locale.ROOT, "%.3g", (Double) w.get("error")),
                        String.format(Locale.ROOT, "%.0g", (Double) w.get("bound")));
            }
            out.print(table.render());
            out.printf("%s: %d cases, %d failed%n", BackendText.of(b), results.size(), failures.size());
        }
        out.flush();
        return failures.isEmpty() ? 0 : 1;
    }

    /** The registry, filtered; a bad or empty filter is a usage error. */
    private List<KernelCase> selectedCases() {
        List<KernelCase> all = KernelCases.all();
        if (filter == null) {
            return all;
        }
        Pattern p;
        try {
            p = Pattern.compile(filter);
        } catch (PatternSyntaxException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--filter: not a regular expression: " + e.getDescription());
        }
        List<KernelCase> kept = all.stream().filter(c -> p.matcher(c.name()).find()).toList();
        if (kept.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--filter: '" + filter + "' matches none of the " + all.size() + " case names");
        }
        return kept;
    }

    /** Per kernel and dtype, in registry order: case and failure counts, the largest error and the bound. */
    private static List<Map<String, Object>> worst(List<CaseResult> results) {
        Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
        for (CaseResult r : results) {
            Map<String, Object> g = groups.computeIfAbsent(r.kernel() + " " + r.dtype(), k -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kernel", r.kernel());
                m.put("dtype", r.dtype().name());
                m.put("cases", 0);
                m.put("failed", 0);
                m.put("error", 0.0);
                m.put("bound", r.bound());
                return m;
            });
            g.put("cases", (Integer) g.get("cases") + 1);
            g.put("failed", (Integer) g.get("failed") + (r.passed() ? 0 : 1));
            g.put("error", Math.max((Double) g.get("error"), r.error()));
        }
        return new ArrayList<>(groups.values());
    }
}
