package dev.npukit.cli;

import dev.npukit.bench.Quantile;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Arrays;

/**
 * Timing for the benchmarks: warm-up runs that are not counted, then repeated timed runs,
 * summarized by their median (the machine is noisy; a median of several runs is the figure to
 * compare, never a single run). Warm-up starts with a garbage collection and goes on past its
 * count while the JIT is still compiling (see {@link CompilerThreads}): on a 2-core machine a
 * compiler or collector thread takes a core from the kernel's threads, which doubled attention
 * times measured in the first seconds of a run. It also goes on while the collector is still
 * committing heap: a body that allocates (a chunk-store read of 64 MiB) otherwise writes into
 * freshly committed heap pages in its timed runs, each page a fault, which a process whose heap
 * has grown to its working size does not pay.
 */
final class BenchStats {
    /** The JIT counts as idle once it has compiled nothing for this long. */
    private static final long JIT_QUIET_NANOS = 300_000_000L;
    /** How often warm-up reads the compiler threads' CPU time (a few dozen small files). */
    private static final long COMPILER_CHECK_NANOS = 20_000_000L;
    /** Warm-up never waits for the JIT longer than this. */
    private static final long MAX_WARMUP_NANOS = 10_000_000_000L;

    private final double[] millis;

    private BenchStats(double[] millis) {
        this.millis = millis;
        Arrays.sort(this.millis);
    }

    /** Runs {@code body} {@code warmup} times untimed, then {@code runs} times timed. */
    static BenchStats measure(int warmup, int runs, Runnable body) {
        return measureInterleaved(warmup, runs, body)[0];
    }

    /**
     * Like {@link #measure} for several bodies at once, taking turns (A B A B ...), so that drift
     * of the machine during the run affects each the same way; for ratios between them.
     */
    static BenchStats[] measureInterleaved(int warmup, int runs, Runnable... bodies) {
        if (warmup < 0 || runs < 1) {
            throw new IllegalArgumentException("runs: need warmup >= 0 and runs >= 1, got " + warmup + ", " + runs);
        }
        // Collect the set-up's garbage now: a concurrent collection running during the timed runs
        // takes a core from the kernel's threads as the JIT does.
        System.gc();
        // The JIT is busy while compilations complete (the MXBean) or, where Linux shows it, while
        // its compiler threads use the processor: a long compilation completes only at its end.
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compilerTicks = CompilerThreads.cpuTicks();
        boolean watchThreads = compilerTicks >= 0;
        long start = System.nanoTime();
        long lastCompile = start;
        long lastThreadCheck = start;
        long compileMs = watchJit ? jit.getTotalCompilationTime() : 0;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long committed = memory.getHeapMemoryUsage().getCommitted();
        boolean heapGrew = false;
        for (int i = 0; ; i++) {
            long now = System.nanoTime();
            boolean jitQuiet = !(watchJit || watchThreads) || now - lastCompile >= JIT_QUIET_NANOS;
            if (i >= warmup && ((jitQuiet && !heapGrew) || now - start >= MAX_WARMUP_NANOS)) {
                break;
            }
            for (Runnable body : bodies) {
                body.run();
            }
            long nowCommitted = memory.getHeapMemoryUsage().getCommitted();
            heapGrew = nowCommitted > committed;
            committed = nowCommitted;
            if (watchJit && jit.getTotalCompilationTime() != compileMs) {
                compileMs = jit.getTotalCompilationTime();
                lastCompile = System.nanoTime();
            }
            if (watchThreads && now - lastThreadCheck >= COMPILER_CHECK_NANOS) {
                lastThreadCheck = now;
                long ticks = CompilerThreads.cpuTicks();
                if (ticks != compilerTicks) {
                    compilerTicks = ticks;
                    lastCompile = System.nanoTime();
                }
            }
        }
        double[][] ms = new double[bodies.length][runs];
        for (int i = 0; i < runs; i++) {
            for (int b = 0; b < bodies.length; b++) {
                long t0 = System.nanoTime();
                bodies[b].run();
                ms[b][i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        BenchStats[] out = new BenchStats[bodies.length];
        for (int b = 0; b < bodies.length; b++) {
            out[b] = new BenchStats(ms[b]);
        }
        return out;
    }

    double medianMs() {
        return Quantile.median(millis);
    }

    double minMs() {
        return millis[0];
    }

    double maxMs() {
        return millis[millis.length - 1];
    }
}
