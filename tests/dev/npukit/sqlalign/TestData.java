package dev.npukit.sqlalign;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The Spider/BIRD query files in data/nl2sql, read relative to the project root (surefire's working directory). */
final class TestData {
    static final Path DIR = Path.of("data", "nl2sql");

    private TestData() {
    }

    static Path file(String name) {
        Path p = DIR.resolve(name + ".jsonl");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test data missing (data/nl2sql is part of the repository): " + p.toAbsolutePath());
        }
        return p;
    }

    static List<String> sql(String name) {
        return QueryFile.read(file(name)).stream().map(SqlExample::sql).toList();
    }
}
