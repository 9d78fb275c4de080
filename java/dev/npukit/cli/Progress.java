package dev.npukit.cli;

import java.io.PrintWriter;
import java.util.Locale;

/** Progress lines on the command's stderr, so that stdout stays clean for tables and JSON. */
final class Progress {
    private final long start = System.nanoTime();
    private final PrintWriter err;

    Progress(PrintWriter err) {
        this.err = err;
    }

    void say(String what) {
        err.printf(Locale.ROOT, "[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, what);
        err.flush();
    }

    void done() {
        say("done");
    }
}
