package dev.npukit.sqlalign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NgramProfileTest {
    @TempDir
    Path dir;

    @Test
    void keepsOnlyNgramsWithAKeywordAndBalancedParentheses() {
        NgramProfile p = new ProfileBuilder().fromQueries("q", List.of("SELECT count(*) FROM singer"));
        // Template: SELECT COUNT ( * ) FROM. "COUNT ( * )" has no keyword, "SELECT COUNT (" is unbalanced.
        assertEquals(Set.of("SELECT", "SELECT COUNT", "SELECT COUNT ( * )", "SELECT COUNT ( * ) FROM",
                "COUNT ( * ) FROM", "( * ) FROM", "FROM"), p.asMap().keySet());
    }

    @Test
    void dropsNgramsStartingOrEndingWithAComma() {
        NgramProfile p = new ProfileBuilder().fromQueries("q", List.of("SELECT a, b FROM t"));
        assertEquals(Set.of("SELECT", "SELECT , FROM", "FROM"), p.asMap().keySet());
    }

    @Test
    void maxNBoundsTheLength() {
        List<String> q = List.of("SELECT count(*) FROM singer");
        assertEquals(Set.of("SELECT", "SELECT COUNT", "FROM"), new ProfileBuilder(2).fromQueries("q", q).asMap().keySet());
        Set<String> five = new ProfileBuilder(5).fromQueries("q", q).asMap().keySet();
        assertTrue(five.contains("SELECT COUNT ( * )") && five.contains("COUNT ( * ) FROM"), five.toString());
        assertTrue(!five.contains("SELECT COUNT ( * ) FROM"), five.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ProfileBuilder(0));
        assertTrue(e.getMessage().startsWith("maxN:"), e.getMessage());
    }

    @Test
    void countsAddUpOverQueriesAndProbabilitiesSumToOne() {
        NgramProfile p = new ProfileBuilder().fromQueries("q",
                List.of("SELECT a FROM t", "select b from u", "SELECT a FROM t WHERE x = 1"));
        assertEquals(3, p.count("SELECT"));
        assertEquals(3, p.count("SELECT FROM"));
        assertEquals(1, p.count("WHERE ="));
        assertEquals(0, p.count("GROUP BY"));
        double sum = 0;
        for (int count : p.asMap().values()) {
            sum += count / (double) p.total();
        }
        assertEquals(1.0, sum, 1e-12);
        assertEquals(p.asMap().values().stream().mapToLong(Integer::longValue).sum(), p.total());
        assertEquals(3, p.queries());
    }

    @Test
    void jsonLinesSqlFileAndCollectionGiveTheSameProfile() throws Exception {
        List<String> queries = List.of("SELECT count(*) FROM singer", "SELECT name FROM t WHERE a > 3 ORDER BY b DESC");
        Path jsonl = dir.resolve("q.jsonl");
        Files.writeString(jsonl, "{\"id\": 0, \"sql\": \"SELECT count(*) FROM singer\"}\n\n"
                + "{\"sql\": \"SELECT name FROM t WHERE a > 3 ORDER BY b DESC\", \"db_id\": \"x\"}\n");
        Path sql = dir.resolve("q.sql");
        Files.writeString(sql, String.join("\n", queries) + "\n");
        ProfileBuilder b = new ProfileBuilder();
        Map<String, Integer> fromList = b.fromQueries("list", queries).asMap();
        assertEquals(fromList, b.fromFile(jsonl).asMap());
        assertEquals(fromList, b.fromFile(sql).asMap());
        assertEquals("q.jsonl", b.fromFile(jsonl).name());
    }

    @Test
    void badFilesGiveErrorsNamingThePathAndLine() throws Exception {
        Path missing = dir.resolve("nope.jsonl");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QueryFile.read(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());

        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, "{\"sql\": \"SELECT 1\"}\n{\"question\": \"no sql\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> QueryFile.read(bad));
        assertTrue(e.getMessage().contains(bad + ":2") && e.getMessage().contains("sql"), e.getMessage());

        Files.writeString(bad, "{\"sql\": \"SELECT 1\"\n");
        e = assertThrows(IllegalArgumentException.class, () -> QueryFile.read(bad));
        assertTrue(e.getMessage().contains(bad + ":1"), e.getMessage());

        Path csv = dir.resolve("q.csv");
        Files.writeString(csv, "SELECT 1\n");
        e = assertThrows(IllegalArgumentException.class, () -> QueryFile.read(csv));
        assertTrue(e.getMessage().contains("unknown file type"), e.getMessage());
    }

    @Test
    void queriesWithoutTemplateAreCountedNotFatal() {
        NgramProfile p = new ProfileBuilder().fromQueries("q", List.of("SELECT a FROM t", "SELECT 'oops FROM t"));
        assertEquals(2, p.queries());
        assertEquals(1, p.failures().size());
        assertEquals(1, p.failures().get(0).index());
        assertEquals(1, p.count("SELECT FROM"));
    }
}
