package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code npukit check}: the registry on a backend, its JSON report, and its usage errors (exit code 2). */
class CheckCliTest {
    @Test
    void checksTheFilteredCasesAndReportsJson() throws Exception {
        CliRun run = CliRun.of("check", "--backend", "cpu", "--filter", "^(rope/00[0-5]|matmul/00[0-2]) ", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        List<String> fields = new ArrayList<>();
        report.fieldNames().forEachRemaining(fields::add);
        assertEquals(List.of("backend", "mode", "cases", "failed", "worst", "failures"), fields);
        assertEquals("cpu", report.get("backend").asText());
        assertEquals("native", report.get("mode").asText());
        assertEquals(9, report.get("cases").asInt());
        assertEquals(0, report.get("failed").asInt());
        assertEquals(0, report.get("failures").size());
        int counted = 0;
        for (JsonNode w : report.get("worst")) {
            counted += w.get("cases").asInt();
            double bound = w.get("kernel").asText().equals("rope") ? 0 : 1e-5;
            assertEquals(bound, w.get("bound").asDouble(), w.toString());
            assertTrue(w.get("error").asDouble() <= bound, w.toString());
        }
        assertEquals(9, counted);
        assertTrue(run.err().contains("checking 9 cases on cpu"), run.err());
        assertEquals("", run.stray());
    }

    @Test
    void theTextReportEndsWithTheSummary() {
        CliRun run = CliRun.of("check", "--backend", "cpu", "--filter", "^writeKv/00[0-3] ");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().trim().endsWith("4 cases, 0 failed"), run.out());
        assertTrue(run.out().contains("writeKv"), run.out());
    }

    @Test
    void badOptionsAreUsageErrors() {
        CliRun badRegex = CliRun.of("check", "--filter", "(");
        assertEquals(2, badRegex.code());
        assertTrue(badRegex.err().startsWith("--filter: not a regular expression"), badRegex.err());
        CliRun none = CliRun.of("check", "--filter", "no such kernel");
        assertEquals(2, none.code());
        assertTrue(none.err().startsWith("--filter: 'no such kernel' matches none of the"), none.err());
        CliRun backend = CliRun.of("check", "--backend", "gpu");
        assertEquals(2, backend.code());
        assertTrue(backend.err().startsWith("--backend: unknown backend 'gpu'"), backend.err());
    }
}
