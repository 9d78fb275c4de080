package dev.npukit.sqlalign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every query of the shared files gets a template (the issue asks to count any that do not). */
class SharedDataTemplatesTest {
    /** Row counts from the data README. */
    private static final Map<String, Integer> ROWS = Map.of(
            "spider_train", 8659, "spider_dev", 1034, "bird_train", 9428, "bird_dev", 1534);

    @Test
    void everyQueryGetsATemplate() {
        ROWS.forEach((name, rows) -> {
            TemplateSet set = TemplateSet.of(TestData.sql(name));
            assertEquals(rows, set.queries(), name);
            assertEquals(0, set.failures().size(), name + ": " + set.failures());
            for (String t : set.distinct()) {
                assertTrue(t.startsWith("SELECT") || t.startsWith("WITH"), name + ": " + t);
                assertTrue(t.equals(t.toUpperCase(java.util.Locale.ROOT)), name + ": " + t);
                assertTrue(!t.contains("  ") && !t.contains(" AS "), name + ": " + t);
            }
        });
    }

    @Test
    void theNineBirdDevCtesKeepTheirWith() {
        TemplateSet set = TemplateSet.of(TestData.sql("bird_dev"));
        long with = 0;
        for (int k = 0; k < set.queries(); k++) {
            with += set.distinct().get(set.templateOf(k)).startsWith("WITH ") ? 1 : 0;
        }
        assertEquals(9, with);
    }
}
