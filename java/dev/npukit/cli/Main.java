package dev.npukit.cli;

import dev.npukit.backend.NpukitException;
import java.io.UncheckedIOException;
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
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(Main::reportError);
        return cli.execute(args);
    }

    /**
     * Errors of input or environment met while a command runs (an argument a kernel or parser
     * rejects, an unavailable backend, an unreadable file) end it with one line on stderr and exit
     * code 1. Any other exception is a bug: picocli's default, a stack trace, keeps what is needed
     * to report it. Bad options are rejected before this, with exit code 2 and the usage.
     */
    private static int reportError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (!(e instanceof IllegalArgumentException || e instanceof NpukitException
                || e instanceof UncheckedIOException)) {
            throw e;
        }
        cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": error: " + e.getMessage());
        cli.getErr().flush();
        return 1;
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
