package dev.npukit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code npukit} command line. Each subcommand is a class of its own in this package. */
@Command(
        name = "npukit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Kernels and cache logic for LLM serving on Ascend NPUs, with a CPU fallback.",
        subcommands = {
            InfoCommand.class,
            BenchCommand.class,
            SqlAlignCommand.class,
            SqlSelectCommand.class,
            ReplayCommand.class,
            DemoCommand.class,
            DecodeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.err);
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
