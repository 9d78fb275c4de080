package dev.npukit.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/**
 * One in-process run of the {@code npukit} command line: exit code, stdout and stderr. The
 * command writes through its picocli writers, which capture it; anything written to
 * {@link System#out} or {@link System#err} instead is captured too and appended, so that a test
 * sees all output, and {@link #stray} tells whether a command bypassed its writers.
 */
public record CliRun(int code, String out, String err, String stray) {

    /** Runs {@link Main#commandLine} with its writers and the System streams captured. Not for concurrent use. */
    public static CliRun of(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream sysOut = new ByteArrayOutputStream();
        ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(sysOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
            CommandLine cli = Main.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int code = cli.execute(args);
            String so = sysOut.toString(StandardCharsets.UTF_8);
            String se = sysErr.toString(StandardCharsets.UTF_8);
            return new CliRun(code, out + so, err + se, so + se);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
