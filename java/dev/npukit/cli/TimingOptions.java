package dev.npukit.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The benchmarks' shared {@code --warmup} and {@code --runs} (a picocli mixin). Each benchmark
 * declares the mixin initialized with its own defaults, which picocli keeps and shows in the help.
 */
final class TimingOptions {
    @Option(names = "--warmup", paramLabel = "N",
            description = "Untimed warm-up runs per case, at least; the kernel benchmarks run more while the JIT is"
                    + " still compiling. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--runs", paramLabel = "N",
            description = "Timed runs per case; the median is reported. Default: ${DEFAULT-VALUE}.")
    int runs;

    /** For picocli; the commands use {@link #defaults}. */
    TimingOptions() {
    }

    static TimingOptions defaults(int warmup, int runs) {
        TimingOptions t = new TimingOptions();
        t.warmup = warmup;
        t.runs = runs;
        return t;
    }

    /** Refuses {@code --warmup} below {@code minWarmup} and {@code --runs} below 1 (exit code 2). */
    void check(CommandSpec spec, int minWarmup) {
        OptionChecks.atLeast(spec, "--warmup", warmup, minWarmup);
        OptionChecks.positive(spec, "--runs", runs);
    }
}
