package dev.npukit.model;

import dev.npukit.backend.NpukitException;
import java.nio.file.Path;

/**
 * A safetensors, config, adapter or tokenizer file that cannot be used; the message names the
 * file and the problem, on one line (line breaks in the problem, such as a parser's location,
 * become spaces).
 */
public final class SafetensorsException extends NpukitException {
    /**
     * An error about a file.
     *
     * @param file the file the problem is in
     * @param problem what is wrong, one line
     */
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + oneLine(problem));
    }

    /**
     * An error about a file, with the exception that revealed it.
     *
     * @param file the file the problem is in
     * @param problem what is wrong, one line
     * @param cause the underlying exception
     */
    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + oneLine(problem), cause);
    }

    private static String oneLine(String problem) {
        return problem == null ? "(no message)" : problem.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
