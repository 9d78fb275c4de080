package dev.npukit.cli;

/** Progress lines on stderr, so that stdout stays clean for tables and JSON. */
final class Progress {
    private final long start = System.nanoTime();

    void say(String what) {
        System.err.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, what);
    }

    void done() {
        say("done");
    }
}
