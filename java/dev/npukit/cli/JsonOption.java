package dev.npukit.cli;

import picocli.CommandLine.Option;

/** The {@code --json} option that every command with a report shares (a picocli mixin). */
final class JsonOption {
    @Option(names = "--json", description = "Print only JSON on stdout (progress and errors stay on stderr).")
    boolean json;
}
