package dev.npukit.sqlalign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npukit.cli.CliRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sql-align, sql-select and bench sqlalign commands, run in process through {@link Main#run}. */
class SqlAlignCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void sqlAlignJsonIsOnlyJsonAndMatchesTheLibrary() throws Exception {
        Path predictions = dir.resolve("pred.sql");
        Files.writeString(predictions, "SELECT count(*) FROM singer\nSELECT name FROM t JOIN u ON t.a = u.b\n");
        CliRun r = CliRun.of("sql-align", "--train", TestData.file("spider_dev").toString(),
                "--target", TestData.file("bird_dev").toString(), "--predictions", predictions.toString(),
                "--max-n", "8", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        ProfileBuilder b = new ProfileBuilder(8);
        NgramProfile train = b.fromFile(TestData.file("spider_dev"));
        NgramProfile target = b.fromFile(TestData.file("bird_dev"));
        assertEquals(KlDivergence.of(train, target), j.get("klTrainTarget").asDouble(), 1e-12);
        double c = j.get("c").asDouble();
        assertEquals(Math.exp(-j.get("klTrainTarget").asDouble() / c), j.get("alignmentTrainTarget").asDouble(), 1e-12);
        for (String key : List.of("klTargetTrain", "alignmentTargetTrain", "klPredictionsTarget",
                "alignmentPredictionsTarget", "topTrainTarget", "topTargetTrain", "topPredictionsTarget", "sets")) {
            assertTrue(j.has(key), key + " in " + r.out());
        }
        assertEquals(2, j.get("sets").get("predictions").get("queries").asInt());
        assertEquals(10, j.get("topTargetTrain").size());
        assertTrue(r.err().contains("reading"), "progress goes to stderr: " + r.err());
    }

    @Test
    void sqlAlignHumanOutputAndGivenScale() {
        CliRun r = CliRun.of("sql-align", "--train", TestData.file("spider_dev").toString(),
                "--target", TestData.file("bird_dev").toString(), "--c", "10", "--top", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("c = 10.0000 (given)"), r.out());
        assertTrue(r.out().contains("D(spider_dev.jsonl || bird_dev.jsonl)"), r.out());
        assertTrue(r.out().contains("INNER"), "the top n-grams show why BIRD differs: " + r.out());
    }

    @Test
    void missingFileIsAUsageErrorNamingOptionAndPath() {
        Path missing = dir.resolve("missing.jsonl");
        CliRun r = CliRun.of("sql-align", "--train", missing.toString(), "--target", TestData.file("bird_dev").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--train") && r.err().contains(missing.toString()), r.err());
        assertEquals("", r.out());
    }

    @Test
    void badDataIsAnErrorNamingFileAndLine() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"sql\": \"SELECT 1\"}\nnot json\n");
        CliRun r = CliRun.of("sql-align", "--train", bad.toString(), "--target", TestData.file("bird_dev").toString(), "--json");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(bad + ":2"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void sqlSelectWritesTheTopLinesVerbatim() throws Exception {
        Path out = dir.resolve("selected.jsonl");
        Path train = TestData.file("spider_dev");
        CliRun r = CliRun.of("sql-select", "--train", train.toString(), "--target", TestData.file("bird_dev").toString(),
                "--top", "100", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(100, j.get("selected").asInt());
        assertTrue(j.get("klSelectedTarget").asDouble() < j.get("klTrainTarget").asDouble(), r.out());
        List<String> lines = Files.readAllLines(out);
        assertEquals(100, lines.size());
        Set<String> trainLines = new HashSet<>(Files.readAllLines(train));
        lines.forEach(l -> assertTrue(trainLines.contains(l), l));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void sqlSelectByFractionAndBadArguments() {
        Path out = dir.resolve("sel.sql");
        CliRun r = CliRun.of("sql-select", "--train", TestData.file("spider_dev").toString(),
                "--target", TestData.file("bird_dev").toString(), "--fraction", "0.05", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("selected 52 of 1034"), r.out());

        Path nowhere = dir.resolve("no-such-folder").resolve("x.jsonl");
        r = CliRun.of("sql-select", "--train", TestData.file("spider_dev").toString(),
                "--target", TestData.file("bird_dev").toString(), "--top", "5", "--out", nowhere.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--out"), r.err());
        assertFalse(Files.exists(nowhere));

        r = CliRun.of("sql-select", "--train", TestData.file("spider_dev").toString(),
                "--target", TestData.file("bird_dev").toString(), "--top", "0", "--out", out.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--top"), r.err());
    }

    @Test
    void benchPrintsJsonWithTheRunTimes() throws Exception {
        CliRun r = CliRun.of("bench", "sqlalign", "--warmup", "1", "--runs", "1", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(8659 + 9428, j.get("queries").asInt());
        assertEquals(1, j.get("timesMs").size());
        assertTrue(j.get("medianMs").asDouble() > 0);
    }
}
