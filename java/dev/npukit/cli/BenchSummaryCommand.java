package dev.npukit.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.bench.BandwidthModes;
import dev.npukit.bench.Quantile;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code npukit bench summary}: several runs of {@code bench attention --json} (separate
 * processes: on a noisy machine one run is not a figure) summed up per case as the median of the
 * per-run medians and the median and quartiles of the per-run ratios. Where the runs' probes read in
 * two modes of the memory ({@link BandwidthModes}), each mode also gets its own table. {@code
 * scripts/bench-runs.sh} makes the runs and calls it; the attention table of docs/benchmarks.md is
 * its output.
 */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Summarizes several 'bench attention --json' outputs: per case the median of the run medians,"
                + " and the median and quartiles of the per-run ratios (of read bandwidth, NEOX / NONE); where the"
                + " runs' read-bandwidth probes fall into two modes (rates a factor of 1.25 or more apart), one table"
                + " per mode, then all runs.")
final class BenchSummaryCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "JSON outputs of 'bench attention --json'.")
    List<Path> files;

    @CommandLine.Mixin
    JsonOption output;

    @Option(names = "--markdown", description = "Print the table as Markdown (as in docs/benchmarks.md).")
    boolean markdown;

    /** One case of one run. */
    private record Run(double medianMs, double gbPerS, double bandwidthRatio) {}

    /** The median and quartiles of per-run figures. */
    private record Quartiles(double median, double q1, double q3) {
        static Quartiles of(double[] values) {
            return new Quartiles(Quantile.median(values), Quantile.of(values, 0.25),
                    Quantile.of(values, 0.75));
        }

        Map<String, Double> report() {
            Map<String, Double> r = new LinkedHashMap<>();
            r.put("median", median);
            r.put("q1", q1);
            r.put("q3", q3);
            return r;
        }
    }

    /** One case over the runs: the medians of its per-run medians, the quartiles of its per-run ratios. */
    private record CaseRow(String layout, String ropeStyle, int numSeqs, int kvLen, double medianMs, double gbPerS,
            Quartiles bandwidthRatio, Quartiles overNone) {
        /** The row as JSON fields; {@code overNone} (null for NONE rows) is left out where there is none. */
        Map<String, Object> report() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("layout", layout);
            r.put("ropeStyle", ropeStyle);
            r.put("numSeqs", numSeqs);
            r.put("kvLen", kvLen);
            r.put("medianMs", medianMs);
            r.put("gbPerS", gbPerS);
            r.put("bandwidthRatio", bandwidthRatio.report());
            if (overNone != null) {
                r.put("overNone", overNone.report());
            }
            return r;
        }
    }

    /** The runs of one mode of the memory: their files, probe-rate quartiles and per-case rows. */
    private record ModeSummary(String mode, List<String> files, Quartiles readBandwidth, List<CaseRow> cases) {
        Map<String, Object> report() {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("mode", mode);
            r.put("runs", files.size());
            r.put("files", files);
            r.put("readBandwidthGbPerS", readBandwidth.report());
            r.put("cases", cases.stream().map(CaseRow::report).toList());
            return r;
        }
    }

    @Override
    public Integer call() throws Exception {
        for (Path f : files) {
            SqlAlignCommand.requireFile(spec, "FILE", f);
        }
        PrintWriter out = spec.commandLine().getOut();
        ObjectMapper mapper = new ObjectMapper();
        // Case key ("NHD NONE 8 4096") -> its figure in each run, in the order of the first file.
        Map<String, List<Run>> cases = new LinkedHashMap<>();
        double[] probes = new double[files.size()];
        for (int f = 0; f < files.size(); f++) {
            Path file = files.get(f);
            JsonNode root = read(mapper, file);
            JsonNode list = root.path("cases");
            if (root.path("mode").asText("decode").equals("prefill")) {
                throw new IllegalArgumentException(file + ": a 'bench attention --mode prefill' run; the summary reads"
                        + " decode runs (their prefill table is per run: gflops and peakRatio of each case)");
            }
            if (!list.isArray() || !root.has("readBandwidthGbPerS")) {
                throw new IllegalArgumentException(file + ": not the JSON of 'bench attention --json'");
            }
            probes[f] = root.get("readBandwidthGbPerS").asDouble();
            List<String> keys = new ArrayList<>();
            for (JsonNode c : list) {
                String key = c.path("layout").asText("NHD") + " " + c.path("ropeStyle").asText() + " "
                        + c.path("numSeqs").asInt() + " " + c.path("kvLen").asInt();
                keys.add(key);
                if (f == 0) {
                    cases.put(key, new ArrayList<>());
                } else if (!cases.containsKey(key)) {
                    throw new IllegalArgumentException(file + ": case " + key + " is not in " + files.get(0));
                }
                cases.get(key).add(new Run(c.path("medianMs").asDouble(), c.path("gbPerS").asDouble(),
                        c.path("bandwidthRatio").asDouble()));
            }
            if (keys.size() != cases.size()) {
                throw new IllegalArgumentException(file + ": has " + keys.size() + " cases, " + files.get(0) + " has "
                        + cases.size());
            }
        }

        boolean[] every = new boolean[files.size()];
        Arrays.fill(every, true);
        List<CaseRow> rows = rows(cases, every);
        // The runs grouped by the memory's mode (BandwidthModes): each mode gets its own table, since
        // a run in the fast mode divides by a probe rate the kernel does not reach.
        List<BandwidthModes.Mode> modes = BandwidthModes.of(probes, 1);
        List<ModeSummary> modeSummaries = new ArrayList<>();
        for (BandwidthModes.Mode m : modes) {
            boolean[] in = new boolean[files.size()];
            List<String> names = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            for (int f = 0; f < files.size(); f++) {
                in[f] = m.contains(probes[f]);
                if (in[f]) {
                    names.add(files.get(f).getFileName().toString());
                    rates.add(probes[f]);
                }
            }
            modeSummaries.add(new ModeSummary(m.name(), names,
                    Quartiles.of(rates.stream().mapToDouble(Double::doubleValue).toArray()), rows(cases, in)));
        }

        if (output.json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("runs", files.size());
            report.put("readBandwidthGbPerS", Quartiles.of(probes).report());
            report.put("cases", rows.stream().map(CaseRow::report).toList());
            report.put("modes", modeSummaries.stream().map(ModeSummary::report).toList());
            out.println(mapper.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
            out.flush();
            return 0;
        }
        double[] sortedProbes = probes.clone();
        Arrays.sort(sortedProbes);
        out.printf("%d runs; read bandwidth %.1f–%.1f GB/s (median %.1f)%n%n", files.size(), sortedProbes[0],
                sortedProbes[sortedProbes.length - 1], Quantile.median(probes));
        if (modes.size() > 1) {
            for (ModeSummary m : modeSummaries) {
                out.printf("%s mode of the memory: %d runs (%s), read bandwidth median %.1f GB/s%n%n", m.mode(),
                        m.files().size(), String.join(", ", m.files()), m.readBandwidth().median());
                print(out, m.cases());
                out.println();
            }
            out.printf("all %d runs%n%n", files.size());
        }
        print(out, rows);
        out.println();
        out.println("median ms and GB/s: median over the runs of each run's median; of read bandwidth = GB/s / the"
                + " run's probe bandwidth, NEOX / NONE = fused time / classic time in the same run: median and"
                + " quartiles (q1-q3) over the runs.");
        if (modes.size() > 1) {
            out.printf("The runs' probes read in two modes (a gap of %.2fx or more between their rates): one table"
                    + " per mode, then all runs.%n", BandwidthModes.MIN_GAP);
        }
        out.flush();
        return 0;
    }

    /** Per case, over the runs marked in {@code in}: medians, and quartiles of the per-run ratios. */
    private static List<CaseRow> rows(Map<String, List<Run>> cases, boolean[] in) {
        List<CaseRow> rows = new ArrayList<>();
        for (Map.Entry<String, List<Run>> e : cases.entrySet()) {
            String[] key = e.getKey().split(" ");
            List<Run> runs = selected(e.getValue(), in);
            Quartiles overNone = null;
            List<Run> all = cases.get(key[0] + " NONE " + key[2] + " " + key[3]);
            if (!key[1].equals("NONE") && all != null) {
                List<Run> none = selected(all, in);
                double[] ratio = new double[runs.size()];
                for (int i = 0; i < ratio.length; i++) {
                    ratio[i] = runs.get(i).medianMs() / none.get(i).medianMs();
                }
                overNone = Quartiles.of(ratio);
            }
            rows.add(new CaseRow(key[0], key[1], Integer.parseInt(key[2]), Integer.parseInt(key[3]),
                    Quantile.median(runs.stream().mapToDouble(Run::medianMs).toArray()),
                    Quantile.median(runs.stream().mapToDouble(Run::gbPerS).toArray()),
                    Quartiles.of(runs.stream().mapToDouble(Run::bandwidthRatio).toArray()), overNone));
        }
        return rows;
    }

    private static List<Run> selected(List<Run> runs, boolean[] in) {
        List<Run> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            if (in[i]) {
                out.add(runs.get(i));
            }
        }
        return out;
    }

    private void print(PrintWriter out, List<CaseRow> rows) {
        String[] header = {"layout", "rope", "seqs", "kvLen", "median ms", "GB/s", "of read bandwidth: median (quartiles)",
                "NEOX / NONE: median (quartiles)"};
        TextTable t = new TextTable(header);
        if (markdown) {
            out.println("| " + String.join(" | ", header) + " |");
            out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        }
        for (CaseRow r : rows) {
            Quartiles bw = r.bandwidthRatio();
            Quartiles over = r.overNone();
            Object[] cells = {r.layout(), r.ropeStyle(), r.numSeqs(), r.kvLen(), String.format("%.3f", r.medianMs()),
                String.format("%.1f", r.gbPerS()),
                String.format("%.0f%% (%.0f–%.0f%%)", 100 * bw.median(), 100 * bw.q1(), 100 * bw.q3()),
                over == null ? "" : String.format("%.2fx (%.2f–%.2f)", over.median(), over.q1(), over.q3())};
            if (markdown) {
                StringBuilder line = new StringBuilder("|");
                for (Object c : cells) {
                    line.append(' ').append(c).append(" |");
                }
                out.println(line);
            } else {
                t.row(cells);
            }
        }
        if (!markdown) {
            t.print(out);
        }
    }

    /** Reads one file as JSON; Jackson decodes the bytes itself, so an error carries the line and column. */
    private static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new IllegalArgumentException(file + ": not JSON: " + Messages.oneLine(e.getOriginalMessage()) + " (line "
                    + e.getLocation().getLineNr() + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + Messages.io(e), e);
        }
    }
}
