package dev.npukit.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CPU time of the JVM's JIT compiler threads, for {@link BenchStats}'s warm-up: the compilation
 * MXBean's total time grows only when a compilation finishes, so a long compilation still running
 * looks like a quiet JIT; its thread, meanwhile, takes one of two cores from the kernel's threads
 * (measured: small attention calls at the single-thread time in five of six processes, and at the
 * two-thread time in all six with compilation in the foreground). Reads Linux's
 * {@code /proc/self/task}; elsewhere reports nothing.
 */
final class CompilerThreads {
    private static final Path TASKS = Path.of("/proc/self/task");

    private CompilerThreads() {}

    /**
     * Clock ticks the compiler threads ("C1 CompilerThread", "C2 CompilerThread", as Linux
     * truncates them) have run in user and system mode, or -1 where they cannot be read.
     */
    static long cpuTicks() {
        if (!Files.isDirectory(TASKS)) {
            return -1;
        }
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(TASKS)) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                ticks += compilerTicks(task);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return ticks;
    }

    private static long compilerTicks(Path task) {
        try {
            String name = Files.readString(task.resolve("comm")).strip();
            if (!name.startsWith("C1 Compiler") && !name.startsWith("C2 Compiler")) {
                return 0;
            }
            // Fields after the parenthesized name: state is field 3, utime 14, stime 15.
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            return 0;  // the thread ended between the listing and the read
        }
    }
}
