package dev.npukit.cli;

import dev.npukit.backend.NpukitException;
import dev.npukit.serving.store.RedisTier;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code npukit} command line. Each subcommand is a class of its own in this package.
 *
 * <p>Exit codes: 0 done; 2 the command line is wrong (a bad option value, an unknown name, a
 * missing input file, an output folder that cannot be written, a declared size beyond the heap),
 * found before any work runs, reported as one line that starts with the option's name; 1 a failure
 * while running, reported as one line {@code npukit <command>: error: ...}.
 */
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
            CheckCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Without a command there is nothing to do: the usage goes to stderr, as for any other usage error. */
    @Override
    public Integer call() {
        return missingCommand(spec);
    }

    /** Prints "NAME: missing command" and the usage on stderr; returns exit code 2. */
    static int missingCommand(CommandLine.Model.CommandSpec spec) {
        PrintWriter err = spec.commandLine().getErr();
        err.println(spec.qualifiedName() + ": missing command; the commands are:");
        spec.commandLine().usage(err);
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    /** The command line with npukit's error handling and parsing rules; its writers are stdout and stderr. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler(Main::reportError);
        cli.setParameterExceptionHandler(Main::reportUsageError);
        return cli;
    }

    /**
     * Sizes Jedis's reply buffer for the chunk store's Redis reads over TLS
     * ({@link RedisTier#JEDIS_INPUT_BUFFER_PROPERTY}) unless the JVM was started with a size; before any command
     * runs, as Jedis reads it once.
     */
    static void presetJedisBuffer() {
        if (System.getProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY) == null) {
            System.setProperty(RedisTier.JEDIS_INPUT_BUFFER_PROPERTY,
                    Integer.toString(RedisTier.JEDIS_INPUT_BUFFER_BYTES));
        }
    }

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /**
     * Errors of input or environment met while a command runs (an argument a kernel or parser
     * rejects, an unavailable backend, an unreadable or unwritable file) end it with one line on
     * stderr and exit code 1. Any other exception is a bug: picocli's default, a stack trace, keeps
     * what is needed to report it.
     */
    private static int reportError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) throws Exception {
        if (!(e instanceof IllegalArgumentException || e instanceof NpukitException
                || e instanceof UncheckedIOException || e instanceof IOException)) {
            throw e;
        }
        String message = e instanceof IOException io ? Messages.io(io) : e.getMessage();
        cli.getErr().println(cli.getCommandSpec().qualifiedName() + ": error: " + Messages.oneLine(message));
        cli.getErr().flush();
        return CommandLine.ExitCode.SOFTWARE;
    }

    /**
     * A usage error: one line that starts with the option's name (picocli's own messages are
     * rephrased so), and where to find the usage; exit code 2. The full usage is one
     * {@code --help} away and would bury the line that matters.
     */
    private static int reportUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        PrintWriter err = cli.getErr();
        err.println(Messages.oneLine(Messages.usageError(e)) + " (see: " + cli.getCommandSpec().qualifiedName()
                + " --help)");
        err.flush();
        return CommandLine.ExitCode.USAGE;
    }

    public static void main(String[] args) {
        presetJedisBuffer();
        System.exit(run(args));
    }
}
