package dev.npukit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code npukit bench <what>}: the benchmarks. Each is a subcommand class in this package. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks (warm-up, repeated runs, medians; never NPU figures when emulated).",
        subcommands = {
            BenchAttentionCommand.class,
            BenchContrastiveCommand.class,
            BenchBgmvCommand.class,
            BenchCacheCommand.class,
            BenchChunkStoreCommand.class,
            BenchSqlAlignCommand.class,
            BenchSummaryCommand.class
        })
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }
}
