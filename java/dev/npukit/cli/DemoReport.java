package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.serving.ServingEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;

/** The demo's result as text for the terminal, as JSON for tools, and as the HTML report page. */
final class DemoReport {
    private final DemoRunner.Result r;

    DemoReport(DemoRunner.Result result) {
        this.r = result;
    }

    /** The tables and figures for the terminal, ending with where the report page is. */
    void printText(PrintWriter out, Path report) {
        out.println("RAG serving, " + r.requests() + " requests, " + r.promptTokens() + " prompt tokens, backend "
                + r.backend() + ":");
        servingTable().print(out);
        out.println("mean KL vs full: mean KL divergence of each request's next-token distribution after the prompt"
                + " from full recomputation (NONE).");
        out.printf(Locale.ROOT, "%nCoLD (alpha 0.1, beta 0.5) vs greedy on a LoRA adapter: %d of %d tokens differ; "
                + "greedy %.1f tok/s, CoLD %.1f tok/s (expert + base rows per step)%n", r.tokensDiffering(),
                r.coldTokens(), r.coldTokens() / r.greedySeconds(), r.coldTokens() / r.coldSeconds());
        out.println();
        checkTable().print(out);
        out.println("rel. error vs reference: max |x - ref| / max |ref| over the kernel's outputs; bound: the most it"
                + " may be (0: bit-exact).");
        out.println();
        out.println("report: " + report.toAbsolutePath());
    }

    /** The demo's JSON; other tools read these fields. */
    String json(Path report) throws IOException {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("backend", r.backend());
        root.put("report", report.toAbsolutePath().toString());
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

    /** The HTML page, with the blocks-over-time chart embedded as a PNG. */
    String html(byte[] png) {
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>npukit demo</title>")
                .append("<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto}pre{background:#f6f6f6;padding:1em}</style>")
                .append("</head><body><h1>npukit demo</h1>");
        h.append("<p>Backend <b>").append(esc(r.backend())).append("</b> (").append(esc(r.backendReason()))
                .append("). Model: Llama-style decoder with seeded random weights, ").append(r.config().numLayers())
                .append(" layers, hidden ").append(r.config().hiddenSize()).append(", ").append(r.config().numHeads())
                .append(" heads / ").append(r.config().numKvHeads()).append(" KV heads, vocab ")
                .append(r.config().vocabSize()).append(".</p>");
        h.append("<h2>RAG serving under five cache policies</h2><p>").append(r.requests()).append(" requests, ")
                .append(r.promptTokens()).append(" prompt tokens; shared documents are chunks, questions are prompts; block size ")
                .append(DemoRunner.BLOCK_SIZE).append(", up to ").append(DemoRunner.MAX_BATCH).append(" requests batched. ")
                .append("Deviation = mean KL divergence of each request's next-token distribution after the prompt from full ")
                .append("recomputation (NONE). Random weights make the size of the KL meaningful only relative to the other ")
                .append("policies.</p>");
        h.append(pre(servingTable()));
        h.append("<img alt=\"blocks in use over time\" src=\"data:image/png;base64,")
                .append(Base64.getEncoder().encodeToString(png)).append("\">");
        h.append("<h2>CoLD vs greedy on a LoRA adapter</h2><p>").append(r.tokensDiffering()).append(" of ")
                .append(r.coldTokens()).append(" generated tokens differ. Greedy ")
                .append(fmt("%.1f", r.coldTokens() / r.greedySeconds())).append(" tok/s, CoLD ")
                .append(fmt("%.1f", r.coldTokens() / r.coldSeconds()))
                .append(" tok/s (both run the expert and base rows in one batch).</p><pre>");
        for (int i = 0; i < r.greedy().size(); i++) {
            h.append("request ").append(i).append("\n  greedy ").append(esc(Arrays.toString(r.greedy().get(i).tokens())))
                    .append("\n  CoLD   ").append(esc(Arrays.toString(r.cold().get(i).tokens()))).append('\n');
        }
        h.append("</pre><h2>Kernel self-check against the reference</h2>").append(pre(checkTable()));
        h.append("</body></html>\n");
        return h.toString();
    }

    private TextTable servingTable() {
        TextTable t = new TextTable("policy", "peak blocks", "mean blocks", "tokens computed", "tok/s", "seconds",
                "mean KL vs full");
        for (int i = 0; i < r.serving().size(); i++) {
            ServingEngine.Result s = r.serving().get(i);
            t.row(s.policy(), s.peakBlocks(), fmt("%.1f", s.meanBlocks()), s.computedTokens(),
                    fmt("%.0f", s.tokensPerSecond()), fmt("%.2f", s.seconds()), fmt("%.2e", r.klVsFull()[i]));
        }
        return t;
    }

    private TextTable checkTable() {
        TextTable t = new TextTable("registry case", "backend", "rel. error vs reference", "bound", "result");
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

    private static String pre(TextTable t) {
        return "<pre>" + esc(t.render()) + "</pre>";
    }

    private static String fmt(String f, Object... v) {
        return String.format(Locale.ROOT, f, v);
    }

    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
