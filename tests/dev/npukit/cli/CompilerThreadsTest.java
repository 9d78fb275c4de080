package dev.npukit.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' warm-up watches the JIT's compiler threads by their Linux thread names; if the
 * JVM named them otherwise, the watch would silently see nothing and the timed runs could again
 * share a core with a running compilation.
 */
class CompilerThreadsTest {
    @Test
    void findsTheCompilerThreadsOfThisJvm() throws IOException {
        Path tasks = Path.of("/proc/self/task");
        assertTrue(Files.isDirectory(tasks), "the cpu backend and its benchmarks run on Linux");
        List<String> names;
        try (Stream<Path> list = Files.list(tasks)) {
            names = list.map(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip();
                } catch (IOException e) {
                    return "";
                }
            }).toList();
        }
        assertTrue(names.stream().anyMatch(n -> n.startsWith("C1 Compiler") || n.startsWith("C2 Compiler")),
                "no JIT compiler thread among " + names);
        assertTrue(CompilerThreads.cpuTicks() >= 0, "compiler thread CPU time unreadable");
    }
}
