package dev.npukit.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.MutuallyExclusiveArgsException;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** The wording of the command line's one-line error messages. */
final class Messages {
    /** picocli's "Invalid value for option '--x' (TYPE): " prefix; the option's name goes first instead. */
    private static final Pattern PICOCLI_INVALID_VALUE =
            Pattern.compile("^Invalid value for (?:option|positional parameter) '[^']*'(?: \\([^)]*\\))?: ");

    private Messages() {
    }

    /** The message on one line: a line break inside a message (a parser's location) becomes a space. */
    static String oneLine(String message) {
        return message == null ? "(no message)" : message.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** A usage error worded to start with the option (or argument) it is about. */
    static String usageError(ParameterException e) {
        String m = e.getMessage();
        if (e instanceof MissingParameterException missing && m != null
                && m.startsWith("Missing required parameter for option") && !missing.getMissing().isEmpty()) {
            ArgSpec a = missing.getMissing().get(0);
            return name(a) + ": needs a value (" + a.paramLabel() + ")";
        }
        if (e instanceof OverwrittenOptionException twice && twice.getOverwritten() != null) {
            return name(twice.getOverwritten()) + ": given more than once";
        }
        if (e instanceof MutuallyExclusiveArgsException && m != null && m.startsWith("Error: ")) {
            return m.substring("Error: ".length());
        }
        if (e instanceof MissingParameterException missing && !missing.getMissing().isEmpty()) {
            List<ArgSpec> args = missing.getMissing();
            StringBuilder b = new StringBuilder(name(args.get(0))).append(": is required");
            if (args.size() > 1) {
                b.append(" (so ").append(args.size() == 2 ? "is " : "are ");
                for (int i = 1; i < args.size(); i++) {
                    b.append(i > 1 ? ", " : "").append(name(args.get(i)));
                }
                b.append(')');
            }
            return b.toString();
        }
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String arg = unmatched.getUnmatched().get(0);
            List<String> suggestions = unmatched.getSuggestions();
            String what = arg.startsWith("-") ? ": unknown option"
                    : unmatched.getCommandLine().getSubcommands().isEmpty() ? ": unexpected argument" : ": unknown command";
            return arg + what + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?");
        }
        ArgSpec arg = e.getArgSpec();
        if (arg != null && m != null) {
            String name = name(arg);
            String rest = PICOCLI_INVALID_VALUE.matcher(m).replaceFirst("");
            if (!rest.startsWith(name)) {
                return name + ": " + rest;
            }
            return rest;
        }
        return m;
    }

    private static String name(ArgSpec arg) {
        return arg instanceof OptionSpec o ? o.longestName() : arg.paramLabel();
    }

    /** An I/O error as a sentence: Java's file exceptions often carry only the path as their message. */
    static String io(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (e instanceof NoSuchFileException n) {
            return n.getFile() + ": no such file or folder";
        }
        if (e instanceof NotDirectoryException n) {
            return n.getFile() + ": not a folder";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getFile() + ": " + f.getReason();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
