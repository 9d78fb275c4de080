package dev.npukit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaWeights;
import dev.npukit.model.LoraAdapter;
import dev.npukit.model.TokenizerFixture;
import dev.npukit.tensor.DType;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code ```java} block of README.md and docs/*.md, compiled and run as a user would paste it.
 *
 * <p>A block is a snippet: its leading {@code import} lines (and blank lines between them) stay
 * imports, the rest becomes the body of {@code main(String[] args) throws Exception} of a generated
 * class. So a block names its imports, defines its own inputs and prints its result. Blocks that
 * declare a class of their own are not supported: a snippet reads better in the documents.
 *
 * <p>Each block is compiled with the JDK's javac, in this JVM, against this test's class path (an
 * error names the document, the line and the compiler's message) and run in a child JVM whose
 * working directory is a fresh folder holding the {@link #FIXTURES} the block names. Its standard output is checked by
 * its entry in {@link #EXPECTED}, keyed by the document and the heading above the block. A block
 * without an entry fails, and so does an entry whose block is not found (a broken fence). Each
 * example runs once, on the default backend: agreement between backends is the kernel case
 * registry's job ({@code RegistryEqualityTest}), whose attention cases include the kernels
 * example's F16 cache, F32 query, NEOX rotation and head dim 64.
 *
 * <p>To add a fixture: write a static method that creates it in the given working folder, and map
 * the path an example names to it in {@link #FIXTURES}; a block gets the fixture when a string
 * literal in it starts with that path ({@code Path.of("my-llama")}). A file
 * that examples expect inside an existing fixture (a {@code tokenizer.json} in {@code my-llama})
 * belongs in that fixture's method.
 */
class DocExamplesTest {

    /** A fixture: creates one named file or folder in an example's working folder. */
    private interface Fixture {
        void create(Path workDir) throws IOException;
    }

    /** What an example may name, and the method that creates it. */
    private static final Map<String, Fixture> FIXTURES = Map.of(
            "my-llama", DocExamplesTest::myLlama,
            "my-lora", DocExamplesTest::myLora,
            "data/nl2sql", DocExamplesTest::nl2sqlData);

    /** The check of each block's standard output (its lines), by document and heading. */
    private static final Map<String, Consumer<List<String>>> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("README.md / Kernels", out -> {
            float[] values = floats(single(out));
            assertEquals(8 * 64, values.length, "heads × dim attention outputs");
            double max = 0;
            for (float v : values) {
                assertTrue(Float.isFinite(v), "finite outputs: " + Arrays.toString(values));
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max > 0.05, "attention over Gaussian values does not vanish: " + max);
        });
        EXPECTED.put("README.md / Models from Java", out -> {
            // ColdConfig.defaults(): 64 new tokens, no EOS token.
            generation(single(out), 64, LlamaConfig.small().vocabSize(), null);
        });
        EXPECTED.put("docs/cold.md / The decoder", out -> {
            assertEquals(2, out.size(), "one line per request: " + out);
            generation(out.get(0), 128, LlamaConfig.small().vocabSize(), 2);
            generation(out.get(1), 32, LlamaConfig.small().vocabSize(), 2);
        });
        EXPECTED.put("docs/cold.md / The kernel alone, on an interleaved batch", out -> {
            int[] tokens = ints(single(out));
            assertEquals(4, tokens.length, "one token per expert/base pair");
            for (int t : tokens) {
                assertTrue(t >= 0 && t < 1000, "token in the vocabulary: " + t);
            }
        });
        EXPECTED.put("docs/mepic.md / Embedding it", out -> {
            Matcher m = Pattern.compile("Plan\\[(\\d+) tokens, (\\d+) blocks, computes (\\d+), loads (\\d+)\\]"
                    + " load \\[.*\\] compute \\[.*\\]").matcher(single(out));
            assertTrue(m.matches(), "a plan and its ranges: " + out);
            int tokens = Integer.parseInt(m.group(1));
            int computed = Integer.parseInt(m.group(3));
            int loaded = Integer.parseInt(m.group(4));
            assertEquals(48 + 32 + 4, tokens, "chunks padded to whole 16-token blocks, then the prompt");
            assertEquals((tokens + 15) / 16, Integer.parseInt(m.group(2)), "blocks");
            assertTrue(loaded > 0, "a warm store supplies chunk KV");
            assertTrue(computed >= 4 && computed + loaded <= tokens, "the prompt is computed: " + out);
        });
        EXPECTED.put("docs/model.md / Tokenizer", out -> {
            // Up to 16 greedy tokens of the random model, decoded by the fixture's word-level tokenizer.
            List<String> words = List.of(single(out).trim().split("\\s+"));
            assertTrue(words.size() <= 16, "at most 16 tokens: " + out);
            for (String w : words) {
                assertTrue(w.isEmpty() || TokenizerFixture.WORDS.contains(w) || w.matches("t\\d+"),
                        "a word of the model's tokenizer: " + w);
            }
        });
        EXPECTED.put("docs/sqlalign.md / Java", out -> {
            assertTrue(out.size() >= 2, "a report and a selection: " + out);
            Matcher m = Pattern.compile("D_KL = (\\d+[.,]\\d{4}), A_KL = (\\d[.,]\\d{4})").matcher(out.get(0));
            assertTrue(m.matches(), "the report line: " + out.get(0));
            double kl = Double.parseDouble(m.group(1).replace(',', '.'));
            double alignment = Double.parseDouble(m.group(2).replace(',', '.'));
            assertTrue(kl > 0 && alignment > 0 && alignment <= 1, out.get(0));
            assertTrue(out.get(out.size() - 1).matches("1000 of \\d+ selected"), "the selection: " + out);
        });
    }

    /** One {@code ```java} block: where it is, the heading above it, and its lines. */
    record DocBlock(String document, String heading, int firstLine, List<String> lines) {
        String key() {
            return document + " / " + heading;
        }

        @Override
        public String toString() {
            return document + ":" + firstLine + " (" + heading + ")";
        }
    }

    static List<DocBlock> blocks() throws IOException {
        List<Path> documents = new ArrayList<>();
        documents.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        List<DocBlock> blocks = new ArrayList<>();
        for (Path document : documents) {
            blocks.addAll(blocksOf(document.toString().replace(File.separatorChar, '/'),
                    Files.readAllLines(document, StandardCharsets.UTF_8)));
        }
        return blocks;
    }

    /** The java blocks of one document; a second block under one heading is "heading #2". */
    static List<DocBlock> blocksOf(String document, List<String> lines) {
        List<DocBlock> blocks = new ArrayList<>();
        String heading = "(top)";
        int underHeading = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.startsWith("#")) {
                heading = line.replaceFirst("^#+\\s*", "");
                underHeading = 0;
            } else if (line.strip().startsWith("```")) {
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().startsWith("```")) {
                    end++;
                }
                assertTrue(end < lines.size(), document + ":" + (i + 1) + ": code block never closed");
                if (line.strip().equals("```java")) {
                    underHeading++;
                    blocks.add(new DocBlock(document, heading + (underHeading > 1 ? " #" + underHeading : ""),
                            i + 2, List.copyOf(lines.subList(i + 1, end))));
                }
                i = end;  // a '#' inside a code block is not a heading
            }
        }
        return blocks;
    }

    @Test
    void everyExpectedBlockIsFound() throws IOException {
        TreeSet<String> found = new TreeSet<>();
        blocks().forEach(b -> found.add(b.key()));
        assertEquals(new TreeSet<>(EXPECTED.keySet()), found,
                "the java blocks of README.md and docs/*.md (a missing one has a broken fence)");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("blocks")
    void runsAsWritten(DocBlock block, @TempDir Path tmp) throws Exception {
        Consumer<List<String>> expected = EXPECTED.get(block.key());
        assertNotNull(expected, block + ": no expected output; add an entry \"" + block.key() + "\" to EXPECTED");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        compile(block, Files.createDirectories(tmp.resolve("src")), classes);
        Path work = Files.createDirectories(tmp.resolve("work"));
        for (Map.Entry<String, Fixture> f : FIXTURES.entrySet()) {
            if (String.join("\n", block.lines()).contains("\"" + f.getKey())) {
                f.getValue().create(work);
            }
        }
        List<String> out = run(block, classes, work, tmp);
        expected.accept(out);
    }

    /** Compiles the block as the class {@code Example}; a compile error fails naming the document line. */
    static void compile(DocBlock block, Path src, Path classes) throws IOException {
        List<String> lines = block.lines();
        int imports = importLines(lines);
        List<String> source = new ArrayList<>(lines.subList(0, imports));
        source.add("public class Example { public static void main(String[] args) throws Exception {");
        source.addAll(lines.subList(imports, lines.size()));
        source.add("}}");
        Path file = Files.write(src.resolve("Example.java"), source, StandardCharsets.UTF_8);

        // java.util.spi.ToolProvider runs the JDK's javac in this JVM; javax.tools would need the
        // library module (which the tests are compiled into) to read java.compiler.
        ToolProvider javac = ToolProvider.findFirst("javac")
                .orElseThrow(() -> new AssertionError("the tests need a JDK: no javac tool"));
        StringWriter messages = new StringWriter();
        PrintWriter writer = new PrintWriter(messages);
        int status = javac.run(writer, writer, "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), "-proc:none", "-encoding", "UTF-8", file.toString());
        writer.flush();
        if (status != 0) {
            // Generated line n: the imports keep their lines, the class header takes one.
            String located = Pattern.compile("^" + Pattern.quote(file.toString()) + ":(\\d+):", Pattern.MULTILINE)
                    .matcher(messages.toString()).replaceAll(m -> {
                        int n = Integer.parseInt(m.group(1));
                        int inBlock = n <= imports ? n - 1 : Math.min(n - 2, lines.size() - 1);
                        return Matcher.quoteReplacement(block.document() + ":" + (block.firstLine() + inBlock) + ":");
                    });
            fail(block + " does not compile:\n" + located);
        }
    }

    /** The number of leading import and blank lines. */
    private static int importLines(List<String> lines) {
        int n = 0;
        while (n < lines.size() && (lines.get(n).isBlank() || lines.get(n).startsWith("import "))) {
            n++;
        }
        return n;
    }

    /** Runs {@code Example} in a child JVM in {@code work}; asserts exit code 0 and returns its stdout lines. */
    static List<String> run(DocBlock block, Path classes, Path work, Path tmp) throws Exception {
        Path stdout = tmp.resolve("stdout.txt");
        Path stderr = tmp.resolve("stderr.txt");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"), "Example");
        Process p = new ProcessBuilder(cmd).directory(work.toFile())
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        boolean finished = p.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(stdout);
        String err = Files.readString(stderr);
        String report = block + "\n--- stdout\n" + out + "--- stderr\n" + err;
        assertTrue(finished, "did not finish in 5 minutes: " + report);
        assertEquals(0, p.exitValue(), "exit code: " + report);
        assertFalse(out.isBlank(), "prints nothing: " + report);
        System.out.print(block + " printed:\n" + out);
        return out.lines().toList();
    }

    // Fixtures.

    /**
     * A seeded random checkpoint of the demo's model (config.json, model.safetensors) with a word-level tokenizer
     * for its vocabulary (tokenizer.json, tokenizer_config.json, generation_config.json).
     */
    static void myLlama(Path workDir) throws IOException {
        Path dir = workDir.resolve("my-llama");
        LlamaWeights.random(LlamaConfig.small(), 42, DType.F32).save(dir);
        TokenizerFixture.write(dir, LlamaConfig.small().vocabSize());
    }

    /** A seeded random PEFT LoRA adapter for {@link #myLlama}'s model. */
    static void myLora(Path workDir) throws IOException {
        LlamaConfig c = LlamaConfig.small();
        LoraAdapter.random(c, 8, 16f, 7, 0.2f, "self_attn.q_proj", "self_attn.v_proj", "mlp.down_proj")
                .save(workDir.resolve("my-lora"), c);
    }

    /** A copy of the project's Spider and BIRD query files in data/nl2sql. */
    static void nl2sqlData(Path workDir) throws IOException {
        Path to = Files.createDirectories(workDir.resolve("data/nl2sql"));
        try (Stream<Path> files = Files.list(Path.of("data/nl2sql"))) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName().toString()));
            }
        }
    }

    // Output parsing.

    private static String single(List<String> out) {
        assertEquals(1, out.size(), "one line of output: " + out);
        return out.get(0);
    }

    /** The numbers of an {@code Arrays.toString} line. */
    private static String[] items(String line) {
        assertTrue(line.startsWith("[") && line.endsWith("]"), "an array: " + line);
        String inner = line.substring(1, line.length() - 1).strip();
        return inner.isEmpty() ? new String[0] : inner.split(", ");
    }

    private static float[] floats(String line) {
        String[] items = items(line);
        float[] v = new float[items.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.parseFloat(items[i]);
        }
        return v;
    }

    private static int[] ints(String line) {
        return Arrays.stream(items(line)).mapToInt(Integer::parseInt).toArray();
    }

    /**
     * Checks a line "STOP [tokens]" of a generation: ids in the vocabulary; MAX_TOKENS with exactly
     * {@code limit} tokens, or EOS ending on {@code eos} (null: no EOS token) before the limit.
     */
    private static void generation(String line, int limit, int vocab, Integer eos) {
        Matcher m = Pattern.compile("(EOS|MAX_TOKENS) (\\[.*\\])").matcher(line);
        assertTrue(m.matches(), "a stop reason and tokens: " + line);
        int[] tokens = ints(m.group(2));
        for (int t : tokens) {
            assertTrue(t >= 0 && t < vocab, "token id in the vocabulary: " + line);
        }
        if (m.group(1).equals("MAX_TOKENS")) {
            assertEquals(limit, tokens.length, "tokens at the limit: " + line);
            assertTrue(eos == null || Arrays.stream(tokens).noneMatch(t -> t == eos), "no EOS token: " + line);
        } else {
            assertNotNull(eos, "EOS without an EOS token: " + line);
            assertTrue(tokens.length <= limit && tokens[tokens.length - 1] == eos, "ends on EOS: " + line);
            assertTrue(Arrays.stream(tokens, 0, tokens.length - 1).noneMatch(t -> t == eos), "one EOS: " + line);
        }
    }
}
