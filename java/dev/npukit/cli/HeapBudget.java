package dev.npukit.cli;

import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Refuses, before the work starts, a run whose declared sizes need more Java heap than the JVM
 * can still give it, with a message naming both, instead of an {@link OutOfMemoryError} after
 * minutes of work. Each command estimates its dominant allocations from its options; the estimate
 * is a lower bound of what the run needs, so passing the check does not promise the run fits.
 */
final class HeapBudget {
    private HeapBudget() {
    }

    /** Bytes of heap this JVM can still allocate: its limit (-Xmx) less what is in use now. */
    static long available() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    /**
     * Refuses {@code bytes} (computed in double, so that no product of sizes overflows) when it
     * exceeds {@link #available()}; {@code what} says which sizes it comes from.
     */
    static void check(CommandSpec spec, String option, String what, double bytes) {
        long free = available();
        if (bytes > free) {
            throw new ParameterException(spec.commandLine(), String.format(Locale.ROOT,
                    "%s: %s needs about %s of Java heap; this JVM has %s free of its %s limit"
                            + " (raise it with java -Xmx, through NPUKIT_JAVA_OPTS for scripts/run.sh)",
                    option, what, bytes(bytes), bytes(free), bytes(Runtime.getRuntime().maxMemory())));
        }
    }

    static String bytes(double b) {
        if (b >= 1e12) {
            return String.format(Locale.ROOT, "%.1f TB", b / 1e12);
        }
        if (b >= 1e9) {
            return String.format(Locale.ROOT, "%.1f GB", b / 1e9);
        }
        return String.format(Locale.ROOT, "%.0f MB", b / 1e6);
    }
}
