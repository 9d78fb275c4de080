package dev.npukit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code npukit bench <what>}: the benchmarks. Each is a subcommand class in this package. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: warm-up runs, then repeated runs, reported as medians; figures measured on the"
                + " AscendC emulator are labelled as such, never as NPU figures.",
        subcommands = {
            BenchAttentionCommand.class,
            BenchContrastiveCommand.class,
            BenchBgmvCommand.class,
            BenchDecodeCommand.class,
            BenchCacheCommand.class,
            BenchChunkStoreCommand.class,
            BenchSqlAlignCommand.class,
            BenchSummaryCommand.class,
            BenchAscendCommand.class
        })
final class BenchCommand implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a benchmark named there is nothing to run: the usage on stderr, exit code 2. */
    @Override
    public Integer call() {
        return Main.missingCommand(spec);
    }
}
