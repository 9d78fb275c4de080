package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.mepic.Policy;
import dev.npukit.mepic.replay.MemoryChart;
import dev.npukit.mepic.replay.ReplayResult;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.SafetensorsException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every input a user can get wrong, through the real command line in process: the exit code the
 * README defines (2 for a wrong command line, found before any work; 1 for a failure while
 * running), one line on stderr that names the option, file, line or field, nothing on stdout, no
 * file left behind in the working folder, and nothing written around the command's writers.
 */
class CliBadInputTest {
    @TempDir
    static Path dir;

    private static Path trace(String name, String... lines) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, String.join("\n", lines) + "\n");
        return f;
    }

    private static final String OK_LINE = "{\"segments\": [{\"kind\": \"prompt\", \"length\": 4}]}";

    /** {name, expected exit code, what the one line starts with, what else it contains, args...}. */
    static Stream<Arguments> cases() throws IOException {
        Path huge = trace("huge.jsonl", "{\"segments\": [{\"kind\": \"chunk\", \"id\": \"a\", \"length\": 1000000000}]}");
        Path wrapped = trace("wrapped.jsonl", OK_LINE,
                "{\"segments\": [{\"kind\": \"chunk\", \"id\": \"a\", \"length\": 4294967297}]}");
        Path outLong = trace("out-long.jsonl", "{\"outputTokens\": 4294967297, \"segments\": [{\"kind\": \"prompt\", \"length\": 4}]}");
        Path outFloat = trace("out-float.jsonl", "{\"outputTokens\": 12.9, \"segments\": [{\"kind\": \"prompt\", \"length\": 4}]}");
        Path outString = trace("out-string.jsonl", "{\"outputTokens\": \"40\", \"segments\": [{\"kind\": \"prompt\", \"length\": 4}]}");
        Path tokenFloat = trace("token-float.jsonl", "{\"segments\": [{\"kind\": \"prompt\", \"tokens\": [1, 2.5]}]}");
        Path arrival = trace("arrival.jsonl", "{\"arrival\": 1e308, \"segments\": [{\"kind\": \"prompt\", \"length\": 4}]}");
        Path notJson = trace("not-json.jsonl", OK_LINE, "{\"segments\": [", OK_LINE);
        Path latin1 = dir.resolve("latin1.jsonl");
        Files.write(latin1, (OK_LINE + "\n# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1));
        Path aFile = Files.writeString(dir.resolve("a-file.txt"), "x");
        Path latin1Sql = dir.resolve("latin1.sql");
        Files.write(latin1Sql, "SELECT a FROM t\nSELECT 'caf\u00e9' FROM t\n".getBytes(StandardCharsets.ISO_8859_1));
        Path brokenModel = Files.createDirectories(dir.resolve("broken-model"));
        Files.writeString(brokenModel.resolve("config.json"), "{\"vocab_size\": 97,\n oops}");
        Files.writeString(brokenModel.resolve("model.safetensors"), "");
        Path configOnly = Files.createDirectories(dir.resolve("config-only"));
        Files.writeString(configOnly.resolve("config.json"), "{}");
        Path notAModel = Files.createDirectories(dir.resolve("empty-folder"));
        Path folderPng = Files.createDirectories(dir.resolve("folder.png"));
        String missing = dir.resolve("missing.jsonl").toString();
        String chartInMissing = dir.resolve("no-such-folder/chart.png").toString();
        String chartUnderFile = aFile.resolve("chart.png").toString();
        return Stream.of(
                // replay: the trace
                Arguments.of("segment of a billion tokens", 2, "--trace: ", List.of("huge.jsonl line 1", "segments[0].length", "GB of heap"),
                        args("replay", "--trace", huge)),
                Arguments.of("length beyond int", 2, "--trace: ", List.of("line 2", "segments[0].length", "4294967297"),
                        args("replay", "--trace", wrapped)),
                Arguments.of("outputTokens beyond int", 2, "--trace: ", List.of("line 1", "outputTokens", "4294967297"),
                        args("replay", "--trace", outLong)),
                Arguments.of("outputTokens 12.9", 2, "--trace: ", List.of("outputTokens: must be an integer, got 12.9"),
                        args("replay", "--trace", outFloat)),
                Arguments.of("outputTokens \"40\"", 2, "--trace: ", List.of("outputTokens: must be an integer, got \"40\""),
                        args("replay", "--trace", outString)),
                Arguments.of("token 2.5", 2, "--trace: ", List.of("segments[0].tokens[1]: must be an integer"),
                        args("replay", "--trace", tokenFloat)),
                Arguments.of("arrival 1e308", 2, "--trace: ", List.of("line 1", "arrival"), args("replay", "--trace", arrival)),
                Arguments.of("a line that is not JSON", 2, "--trace: ", List.of("not-json.jsonl line 2", "not JSON"),
                        args("replay", "--trace", notJson)),
                Arguments.of("not UTF-8", 2, "--trace: ", List.of("latin1.jsonl line 2", "not UTF-8"),
                        args("replay", "--trace", latin1)),
                Arguments.of("missing trace", 2, "--trace: no such file", List.of(missing), args("replay", "--trace", missing)),
                // replay: sizes and outputs
                Arguments.of("2^31-1 requests", 2, "--requests: ", List.of("heap"), args("replay", "--requests", "2147483647")),
                Arguments.of("2^31-1 chunk tokens", 2, "--chunk-tokens: ", List.of("heap"),
                        args("replay", "--chunk-tokens", "2147483647")),
                Arguments.of("requests beyond int", 2, "--requests: ", List.of("4294967297"), args("replay", "--requests", "4294967297")),
                Arguments.of("chart in a missing folder", 2, "--chart: ", List.of("does not exist"),
                        args("replay", "--requests", "5", "--chart", chartInMissing)),
                Arguments.of("chart under a file", 2, "--chart: ", List.of("does not exist"),
                        args("replay", "--requests", "5", "--chart", chartUnderFile)),
                Arguments.of("chart where no file can be created", 2, "--chart: cannot write into the folder /proc", List.of(),
                        args("replay", "--requests", "5", "--chart", "/proc/chart.png")),
                Arguments.of("chart that is a folder", 2, "--chart: ", List.of("is a folder"),
                        args("replay", "--requests", "5", "--chart", folderPng.toString())),
                Arguments.of("unknown policy", 2, "--policy: ", List.of("lru"), args("replay", "--policy", "lru")),
                Arguments.of("qps not a number", 2, "--qps: ", List.of("abc"), args("replay", "--qps", "abc")),
                Arguments.of("unknown option", 2, "--bogus: unknown option", List.of(), args("replay", "--bogus")),
                Arguments.of("an argument replay does not take", 2, "extra: unexpected argument", List.of(), args("replay", "extra")),
                Arguments.of("option without its value", 2, "--requests: needs a value", List.of(), args("replay", "--requests")),
                Arguments.of("option given twice", 2, "--requests: given more than once", List.of(),
                        args("replay", "--requests", "1", "--requests", "2")),
                Arguments.of("trace and workload", 2, "--trace and --workload", List.of(),
                        args("replay", "--trace", huge, "--workload", "squad")),
                // demo
                Arguments.of("chunk store of an unknown kind", 2, "--chunk-store: ", List.of("ftp://h"),
                        args("demo", "--chunk-store", "ftp://h")),
                Arguments.of("disk chunk store without a folder", 2, "--chunk-store: ", List.of("disk:DIR"),
                        args("demo", "--chunk-store", "disk:")),
                Arguments.of("redis chunk store with a bad port", 2, "--chunk-store: ", List.of("port"),
                        args("demo", "--chunk-store", "redis://127.0.0.1:notaport")),
                Arguments.of("demo report where no file can be created", 2, "--out: cannot write into the folder /proc", List.of(),
                        args("demo", "--out", "/proc/npukit-demo")),
                Arguments.of("demo report under a file", 2, "--out: ", List.of("is not a folder"),
                        args("demo", "--out", aFile.resolve("demo").toString())),
                Arguments.of("demo of 2^31-1 requests", 2, "--requests: ", List.of("heap"),
                        args("demo", "--requests", "2147483647")),
                Arguments.of("demo requests longer than the model", 2, "--doc-tokens: ", List.of("positions"),
                        args("demo", "--doc-tokens", "100000")),
                // decode
                Arguments.of("decode without a model", 2, "--model: is required", List.of(), args("decode", "--prompt-tokens", "1")),
                Arguments.of("decode of a missing model", 2, "--model: no such folder", List.of(),
                        args("decode", "--model", dir.resolve("no-model").toString(), "--prompt-tokens", "1")),
                Arguments.of("decode of a folder without config.json", 2, "--model: ", List.of("config.json"),
                        args("decode", "--model", notAModel.toString(), "--prompt-tokens", "1")),
                Arguments.of("decode of a folder without weights", 2, "--model: ", List.of("has no *.safetensors file"),
                        args("decode", "--model", configOnly.toString(), "--prompt-tokens", "1")),
                Arguments.of("decode with a missing adapter", 2, "--adapter: no such folder", List.of(),
                        args("decode", "--model", brokenModel.toString(), "--adapter", dir.resolve("no-lora").toString(),
                                "--prompt-tokens", "1")),
                Arguments.of("config.json that is not JSON", 1, "npukit decode: error: ", List.of("config.json", "not JSON", "line 2"),
                        args("decode", "--model", brokenModel.toString(), "--prompt-tokens", "1")),
                Arguments.of("prompt tokens not integers", 2, "--prompt-tokens: ", List.of("abc"),
                        args("decode", "--model", brokenModel.toString(), "--prompt-tokens", "1,abc")),
                // bench and the rest
                Arguments.of("unknown backend", 2, "--backend: unknown backend 'npu'", List.of(), args("bench", "attention", "--backend", "npu")),
                Arguments.of("unknown dtype", 2, "--dtype: ", List.of("F64"), args("bench", "contrastive", "--dtype", "F64")),
                Arguments.of("unknown command", 2, "frobnicate: unknown command", List.of(), args("frobnicate")),
                Arguments.of("sql-align of a missing file", 2, "--train: no such file", List.of(),
                        args("sql-align", "--train", missing, "--target", missing)),
                Arguments.of("sql-select with --top and --fraction", 2, "--top=N, --fraction=F are mutually exclusive", List.of(),
                        args("sql-select", "--train", aFile.toString(), "--target", aFile.toString(), "--top", "1",
                                "--fraction", "0.5", "--out", dir.resolve("sel.txt").toString())),
                Arguments.of("sql-align of a file that is not UTF-8", 1, "npukit sql-align: error: ", List.of("latin1.sql line 2", "not UTF-8"),
                        args("sql-align", "--train", latin1Sql, "--target", latin1Sql)),
                Arguments.of("sql-select into /proc", 2, "--out: cannot write into the folder /proc", List.of(),
                        args("sql-select", "--train", aFile.toString(), "--target", aFile.toString(), "--top", "1", "--out",
                                "/proc/selected.jsonl")));
    }

    private static String[] args(Object... a) {
        return Stream.of(a).map(String::valueOf).toArray(String[]::new);
    }

    private List<Path> before;

    @BeforeEach
    void listFiles() throws IOException {
        before = listing();
    }

    private static List<Path> listing() throws IOException {
        List<Path> all = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted().forEach(all::add);
        }
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isOneLineWithTheRightExitCode(String name, int code, String start, List<String> contains, String[] args)
            throws IOException {
        CliRun r = CliRun.of(args);
        assertEquals(code, r.code(), r.err());
        List<String> lines = r.err().lines().toList();
        if (code == 2) {
            assertEquals(1, lines.size(), "a usage error is the only line: " + r.err());
        }
        // A failure while running may follow progress lines; the error is the last line, whole.
        String error = lines.get(lines.size() - 1);
        assertTrue(error.startsWith(start), "starts with '" + start + "': " + r.err());
        for (String c : contains) {
            assertTrue(error.contains(c), "names '" + c + "': " + r.err());
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertEquals("", r.out(), "nothing ran");
        assertEquals("", r.stray(), "everything through the command's writers");
        assertEquals(before, listing(), "no file left behind");
    }

    @Test
    void noCommandIsAUsageErrorOnStderr() {
        for (String[] args : new String[][] {{}, {"bench"}}) {
            CliRun r = CliRun.of(args);
            assertEquals(2, r.code(), r.err());
            assertTrue(r.err().contains("missing command") && r.err().contains("Usage:"), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void aChartThatCannotBeMovedIntoPlaceLeavesNoTemporaryFile() throws IOException {
        // The encoder's output goes to a temporary file first; here the final move fails (the target is a
        // folder that is not empty), as a full disk would fail the encoder: an error naming the chart, no file.
        Path target = Files.createDirectories(dir.resolve("taken.png"));
        Files.writeString(target.resolve("inside"), "x");
        List<Path> listed = listing();
        ReplayResult r = new ReplayResult(Policy.MEPIC, 3, 2.0, 3, 10, 0, 10, 0, 0, 1, new double[] {1.0},
                new double[] {0, 1}, new int[] {1, 3}, new long[] {0});
        IOException e = assertThrows(IOException.class, () -> MemoryChart.write(target, "t", 10, List.of(r)));
        assertTrue(e.getMessage().startsWith("chart: " + target.toAbsolutePath()), e.getMessage());
        assertEquals(listed, listing(), "no temporary file left");
    }

    @Test
    void nullKvHeadsMeansOneKvHeadPerHead() throws IOException {
        Path config = dir.resolve("hf-config.json");
        Files.writeString(config, "{\"model_type\": \"llama\", \"vocab_size\": 97, \"hidden_size\": 32,"
                + " \"intermediate_size\": 48, \"num_hidden_layers\": 1, \"num_attention_heads\": 4,"
                + " \"num_key_value_heads\": null}");
        assertEquals(4, LlamaConfig.read(config).numKvHeads());
        Files.delete(config);
    }

    @Test
    void configIntegersAreNeverNarrowed() throws IOException {
        Path config = dir.resolve("hf-config.json");
        String base = "{\"model_type\": \"llama\", \"vocab_size\": 97, \"hidden_size\": 32,"
                + " \"intermediate_size\": 48, \"num_hidden_layers\": 1, \"num_attention_heads\": 4";
        for (String bad : new String[] {"4294967297", "12.9", "\"40\""}) {
            Files.writeString(config, base + ", \"max_position_embeddings\": " + bad + "}");
            SafetensorsException e = assertThrows(SafetensorsException.class, () -> LlamaConfig.read(config));
            assertTrue(e.getMessage().contains("max_position_embeddings"), e.getMessage());
        }
        Files.writeString(config, base + ", \"max_position_embeddings\": 40}");
        assertEquals(40, LlamaConfig.read(config).maxPositions());
        Files.delete(config);
    }

    /** Every description is whole sentences, each paragraph one string that picocli wraps: none is cut. */
    @Test
    void everyDescriptionIsWholeSentences() {
        List<String> cut = new ArrayList<>();
        collectCutDescriptions(Main.commandLine(), cut);
        assertEquals(List.of(), cut);
        CliRun help = CliRun.of("--help");
        String flat = help.out().replaceAll("\\s+", " ");
        assertTrue(flat.contains("writes an HTML report (tables and a blocks-over-time chart).")
                && flat.contains("Prints the generated text (--prompt) or token ids (--prompt-tokens)."), help.out());
    }

    private static void collectCutDescriptions(picocli.CommandLine cli, List<String> cut) {
        picocli.CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
        for (String d : spec.usageMessage().description()) {
            if (!d.replace("%n", "").strip().endsWith(".")) {
                cut.add(spec.qualifiedName() + ": " + d);
            }
        }
        for (picocli.CommandLine.Model.OptionSpec o : spec.options()) {
            for (String d : o.description()) {
                if (!d.replace("%n", "").strip().endsWith(".")) {
                    cut.add(spec.qualifiedName() + " " + o.longestName() + ": " + d);
                }
            }
        }
        cli.getSubcommands().values().forEach(sub -> collectCutDescriptions(sub, cut));
    }
}
