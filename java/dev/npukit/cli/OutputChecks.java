package dev.npukit.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Checks, before a command does any work, that its output can be written where the user asked, so
 * that a long run never ends in a write error. Each failure is a usage error (exit code 2) that
 * starts with the option's name. The check writes and deletes an empty hidden file: asking for
 * permissions alone is not enough (a read-only file system, or root, for whom every mode bit
 * grants access).
 */
final class OutputChecks {
    private OutputChecks() {
    }

    /** FILE's folder must exist and take a new file; returns FILE as an absolute path. */
    static Path file(CommandSpec spec, String option, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            throw new ParameterException(spec.commandLine(), option + ": " + file + " is a folder, expected a file name");
        }
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ParameterException(spec.commandLine(), option + ": the folder " + dir + " does not exist");
        }
        probe(spec, option, dir);
        return abs;
    }

    /**
     * DIR may be missing (the command creates it); the nearest folder on its path that exists must
     * take a new file. Returns DIR as an absolute path.
     */
    static Path folder(CommandSpec spec, String option, Path dir) {
        Path abs = dir.toAbsolutePath().normalize();
        Path existing = abs;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new ParameterException(spec.commandLine(), option + ": " + existing + " is not a folder");
        }
        probe(spec, option, existing);
        return abs;
    }

    private static void probe(CommandSpec spec, String option, Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, ".npukit-write-check", ".tmp"));
        } catch (IOException e) {
            String why = e instanceof AccessDeniedException ? "permission denied"
                    : e instanceof FileSystemException f && f.getReason() != null ? f.getReason()
                    : "cannot create a file there";
            throw new ParameterException(spec.commandLine(), option + ": cannot write into the folder " + dir + " (" + why + ")");
        }
    }
}
