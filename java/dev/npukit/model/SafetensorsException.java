package dev.npukit.model;

import dev.npukit.backend.NpukitException;
import java.nio.file.Path;

/** A safetensors, config or adapter file that cannot be used; the message names the file and the problem. */
public final class SafetensorsException extends NpukitException {
    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
