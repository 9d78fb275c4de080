package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.serving.ServingEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The demo's result as text for the terminal, as JSON for tools, and as the HTML report page. All three say which
 * build made it (version, commit), when, on which backend and on which machine; the tables use the same column
 * names everywhere and the prose uses those names.
 */
final class DemoReport {
    /** Column names of the serving table, used by the prose too. */
    private static final String KL_COLUMN = "mean KL vs full";
    private static final String MEAN_BLOCKS_COLUMN = "mean blocks";
    /** A table cell that is a number, right-aligned on the page as in {@link TextTable}. */
    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9][0-9.,]*(e[-+]?[0-9]+)?[%x]?");
    /**
     * The page's style: wide tables scroll sideways in their own box and long token lists wrap, so that the page
     * never does, whatever the window's width; numbers are right-aligned as in {@link TextTable}.
     */
    private static final String STYLE = """
            body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;line-height:1.45;color:#222}
            table{border-collapse:collapse;margin:.6em 0}
            div.table{overflow-x:auto}
            th,td{padding:.25em .5em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
            td{overflow-wrap:anywhere}
            td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
            table.about th{white-space:nowrap}
            table.tokens{table-layout:fixed;width:100%}
            table.tokens col.req{width:6.5em}
            table.tokens td.t{font-family:monospace;white-space:pre-wrap}
            figure{margin:1em 0}
            img{max-width:100%;height:auto}
            figcaption{font-size:.95em}
            """;
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private final DemoRunner.Result r;
    private final String version = VersionProvider.version();
    private final String commit = VersionProvider.commit();
    private final Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private final String machine = Machine.describe() + "; " + Machine.platform();

    DemoReport(DemoRunner.Result result) {
        this.r = result;
    }

    /** The tables and figures for the terminal, ending with where the report page is. */
    void printText(PrintWriter out, Path report) {
        out.println("npukit " + version + " (commit " + commit + "), " + DATE.format(date) + ", on " + machine);
        out.println();
        out.println("RAG serving, " + r.requests() + " requests, " + r.promptTokens() + " prompt tokens, backend "
                + r.backend() + ":");
        servingTable().text().print(out);
        out.println(KL_COLUMN + ": mean KL divergence of each request's next-token distribution after the prompt"
                + " from full recomputation (NONE).");
        out.printf(Locale.ROOT, "%nCoLD (alpha 0.1, beta 0.5) vs greedy on a LoRA adapter: %d of %d tokens differ; "
                + "greedy %.1f tok/s, CoLD %.1f tok/s (expert + base rows per step)%n", r.tokensDiffering(),
                r.coldTokens(), r.coldTokens() / r.greedySeconds(), r.coldTokens() / r.coldSeconds());
        out.println();
        checkTable().text().print(out);
        out.println("rel. error vs reference: max |x - ref| / max |ref| over the kernel's outputs (|ref| raised to the"
                + " size of the summed terms where they cancel); bound: the most it may be (0: bit-exact).");
        out.println();
        out.println("report: " + report.toAbsolutePath());
    }

    /** The demo's JSON; other tools read these fields. */
    String json(Path report) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("backend", r.backend());
        root.put("report", report.toAbsolutePath().toString());
        root.put("version", version);
        root.put("commit", commit);
        root.put("date", date.toString());
        root.put("machine", machine);
        root.putPOJO("model", r.config());
        ArrayNode serving = root.putArray("serving");
        for (int i = 0; i < r.serving().size(); i++) {
            ServingEngine.Result s = r.serving().get(i);
            serving.addObject().put("policy", s.policy().name()).put("peakBlocks", s.peakBlocks())
                    .put("meanBlocks", s.meanBlocks()).put("tokensComputed", s.computedTokens())
                    .put("promptTokens", s.promptTokens()).put("generatedTokens", s.generatedTokens())
                    .put("tokensPerSecond", s.tokensPerSecond()).put("seconds", s.seconds())
                    .put("meanKlVsFull", r.klVsFull()[i]);
        }
        ServingEngine.ChunkStoreStats store = r.chunkStore();
        root.putObject("chunkStore").put("kind", store.kind()).put("chunksComputed", store.chunksComputed())
                .put("chunksLoaded", store.chunksLoaded()).put("bytesLoaded", store.bytesLoaded())
                .put("loadSeconds", store.loadSeconds());
        root.putObject("cold").put("tokens", r.coldTokens()).put("tokensDifferingFromGreedy", r.tokensDiffering())
                .put("greedyTokensPerSecond", r.coldTokens() / r.greedySeconds())
                .put("coldTokensPerSecond", r.coldTokens() / r.coldSeconds());
        ArrayNode c = root.putArray("kernelChecks");
        for (KernelSelfCheck.Outcome o : r.checks()) {
            ObjectNode n = c.addObject().put("kernel", o.kernel()).put("case", o.caseName()).put("backend", o.backend())
                    .put("bound", o.bound()).put("passed", o.passed());
            if (o.note() != null) {
                n.put("note", o.note());
            } else {
                n.put("relativeError", o.error());
            }
        }
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    /** The HTML page, with the blocks-in-use chart ({@link DemoChart}) embedded as a PNG. */
    String html(byte[] chartPng) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>npukit demo, ").append(esc(DATE.format(date))).append("</title><style>").append(STYLE)
                .append("</style></head><body><h1>npukit demo</h1>");
        Map<String, String> about = new LinkedHashMap<>();
        about.put("npukit version", version);
        about.put("commit", commit);
        about.put("date", DATE.format(date));
        about.put("backend", r.backend() + " (" + r.backendReason() + ")");
        about.put("machine", machine);
        about.put("model", "Llama-style decoder with seeded random weights, " + r.config().numLayers() + " layers, hidden "
                + r.config().hiddenSize() + ", " + r.config().numHeads() + " heads / " + r.config().numKvHeads()
                + " KV heads, vocab " + r.config().vocabSize());
        h.append("<table class=\"about\">");
        about.forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>"));
        h.append("</table>");

        h.append("<h2>RAG serving under five cache policies</h2><p>").append(r.requests()).append(" requests, ")
                .append(r.promptTokens()).append(" prompt tokens: each request retrieves shared documents, stored as ")
                .append("chunks, and ends with a ").append(DemoRunner.QUESTION_TOKENS).append("-token question. ")
                .append("Block size ").append(DemoRunner.BLOCK_SIZE).append(" tokens, a pool of ")
                .append(DemoRunner.POOL_BLOCKS).append(" blocks, up to ").append(DemoRunner.MAX_BATCH)
                .append(" requests batched.</p>");
        h.append(servingTable().html());
        h.append("<p><i>").append(esc(KL_COLUMN)).append("</i> is the mean KL divergence of each request's next-token ")
                .append("distribution after the prompt from full recomputation (NONE). Random weights make its size ")
                .append("meaningful only relative to the other policies.</p>");
        h.append("<figure><img alt=\"KV blocks in use during each engine step, per policy, against the pool capacity\"")
                .append(" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(chartPng))
                .append("\"><figcaption>").append(chartCaption()).append("</figcaption></figure>");

        h.append("<h2>CoLD vs greedy on a LoRA adapter</h2><p>").append(r.tokensDiffering()).append(" of ")
                .append(r.coldTokens()).append(" generated tokens differ (bold in the CoLD column). Greedy ")
                .append(fmt("%.1f", r.coldTokens() / r.greedySeconds())).append(" tok/s, CoLD ")
                .append(fmt("%.1f", r.coldTokens() / r.coldSeconds()))
                .append(" tok/s (both run the expert and base rows in one batch).</p>");
        h.append("<table class=\"tokens\"><colgroup><col class=\"req\"><col><col></colgroup>")
                .append("<tr><th>request</th><th>greedy tokens</th><th>CoLD tokens</th></tr>");
        for (int i = 0; i < r.greedy().size(); i++) {
            int[] g = r.greedy().get(i).tokens();
            int[] c = r.cold().get(i).tokens();
            h.append("<tr><td class=\"n\">").append(i).append("</td><td class=\"t\">");
            for (int j = 0; j < g.length; j++) {
                h.append(j == 0 ? "" : " ").append(g[j]);
            }
            h.append("</td><td class=\"t\">");
            for (int j = 0; j < c.length; j++) {
                boolean differs = j >= g.length || c[j] != g[j];
                h.append(j == 0 ? "" : " ").append(differs ? "<b>" : "").append(c[j]).append(differs ? "</b>" : "");
            }
            h.append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Kernel self-check against the reference</h2>").append(checkTable().html());
        h.append("<p><i>rel. error vs reference</i>: max |x - ref| / max |ref| over the kernel's outputs ")
                .append("(|ref| raised to the size of the summed terms where they cancel); ")
                .append("<i>bound</i>: the most it may be (0: bit-exact).</p>");
        h.append("</body></html>\n");
        return h.toString();
    }

    /**
     * What the chart shows and what it leaves out, from the data: the capacity against the peak, the policies whose
     * lines coincide, and the instants between steps when the pool was empty (not drawn).
     */
    private String chartCaption() {
        List<ServingEngine.Result> s = r.serving();
        int peak = s.stream().mapToInt(ServingEngine.Result::peakBlocks).max().orElse(0);
        StringBuilder c = new StringBuilder();
        c.append("One point per engine step: the KV blocks held while the step's batched decode runs, after its ")
                .append("admissions and prefill. The dashed line, labelled &ldquo;")
                .append(esc(DemoChart.capacityLabel(DemoRunner.POOL_BLOCKS)))
                .append("&rdquo;, is the size of the pool; the highest peak, ")
                .append(peak).append(" blocks, is ").append(fmt("%.1f", 100.0 * peak / DemoRunner.POOL_BLOCKS))
                .append("% of it, hence the logarithmic axis. ");
        Map<String, List<String>> coincide = new LinkedHashMap<>();
        for (int i = 0; i < s.size(); i++) {
            ServingEngine.Result same = DemoChart.sameAs(s, i);
            if (same != null) {
                coincide.computeIfAbsent(same.policy().name(), k -> new ArrayList<>(List.of(k))).add(s.get(i).policy().name());
            }
        }
        for (List<String> group : coincide.values()) {
            c.append(esc(and(group))).append(" hold the same number of blocks at every step, so their lines coincide: each")
                    .append(" keeps its own colour, marker and dash, drawn thinner in turn, and the legend names the")
                    .append(" policy a line coincides with. ");
        }
        boolean idleStep = s.stream().anyMatch(p -> Arrays.stream(DemoChart.duringSteps(p)).anyMatch(b -> b == 0));
        if (idleStep) {
            c.append("Steps that ran with an empty pool (every request they found was rejected) are not drawn. ");
        }
        Map<Integer, List<String>> empty = new LinkedHashMap<>();
        for (ServingEngine.Result p : s) {
            empty.computeIfAbsent(DemoChart.emptyBetweenSteps(p), k -> new ArrayList<>()).add(p.policy().name());
        }
        empty.remove(0);
        if (!empty.isEmpty()) {
            List<String> times = new ArrayList<>();
            empty.forEach((n, policies) -> times.add(n + (n == 1 ? " time" : " times") + " under "
                    + (policies.size() == s.size() ? "every policy" : esc(and(policies)))));
            c.append("Between two steps the pool was empty ").append(String.join(", ", times)).append(": every request")
                    .append(" asks for the same number of new tokens, so requests admitted in the same step finish in")
                    .append(" the same step and release their blocks, and the next ones are admitted at the start of the")
                    .append(" following step. ").append(idleStep ? "" : "No step ran with an empty pool, so the chart has")
                    .append(idleStep ? "" : " no points at 0. ").append("The table's <i>").append(esc(MEAN_BLOCKS_COLUMN)).append("</i> averages two samples per step,")
                    .append(" the one drawn and the one after the step's finished requests released their blocks, so")
                    .append(" those empty instants count in it.");
        }
        return c.toString();
    }

    /** "A", "A and B", "A, B and C". */
    private static String and(List<String> names) {
        int n = names.size();
        return n == 1 ? names.get(0) : String.join(", ", names.subList(0, n - 1)) + " and " + names.get(n - 1);
    }

    private Table servingTable() {
        Table t = new Table("policy", "peak blocks", MEAN_BLOCKS_COLUMN, "tokens computed", "tok/s", "seconds", KL_COLUMN);
        for (int i = 0; i < r.serving().size(); i++) {
            ServingEngine.Result s = r.serving().get(i);
            t.row(s.policy().name(), String.valueOf(s.peakBlocks()), fmt("%.1f", s.meanBlocks()),
                    String.valueOf(s.computedTokens()), fmt("%.0f", s.tokensPerSecond()), fmt("%.2f", s.seconds()),
                    fmt("%.2e", r.klVsFull()[i]));
        }
        return t;
    }

    private Table checkTable() {
        Table t = new Table("registry case", "backend", "rel. error vs reference", "bound", "result");
        for (KernelSelfCheck.Outcome c : r.checks()) {
            t.row(caseLabel(c.caseName()), c.backend(), c.note() != null ? "-" : fmt("%.2e", c.error()), fmt("%.0e", c.bound()),
                    c.note() != null ? c.note() : c.passed() ? "ok" : "FAILED");
        }
        return t;
    }

    /** "attention/174 edge=huge-scale" of a registry case name: enough for {@code npukit check --filter}. */
    private static String caseLabel(String name) {
        String[] words = name.split(" ");
        return words.length > 1 && words[1].startsWith("edge=") ? words[0] + " " + words[1] : words[0];
    }

    /** A table's header and rows: a {@link TextTable} for the terminal, an HTML table with the same words for the page. */
    private static final class Table {
        private final String[] header;
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            this.header = header;
        }

        void row(String... cells) {
            rows.add(cells);
        }

        TextTable text() {
            TextTable t = new TextTable(header);
            rows.forEach(row -> t.row((Object[]) row));
            return t;
        }

        String html() {
            // In a box that scrolls sideways on a screen too narrow for the table: the page itself never does.
            StringBuilder h = new StringBuilder("<div class=\"table\"><table><tr>");
            for (String name : header) {
                h.append("<th>").append(esc(name)).append("</th>");
            }
            h.append("</tr>");
            for (String[] row : rows) {
                h.append("<tr>");
                for (String cell : row) {
                    h.append(NUMBER.matcher(cell).matches() ? "<td class=\"n\">" : "<td>").append(esc(cell)).append("</td>");
                }
                h.append("</tr>");
            }
            return h.append("</table></div>").toString();
        }
    }

    private static String fmt(String f, Object... v) {
        return String.format(Locale.ROOT, f, v);
    }

    /** Text from data as HTML text or attribute value. */
    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
