package dev.npukit.sqlalign;

import dev.npukit.util.AtomicFiles;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes a text file of lines all or nothing: into a temporary file beside it, then moved into place. */
public final class LinesFile {
    private LinesFile() {
    }

    /**
     * Writes {@code lines} as UTF-8, each ending in {@code \n}, to {@code path}, replacing any file there;
     * on error {@code path} is untouched.
     *
     * @param path the file to write
     * @param lines the lines, without line terminators
     * @throws IllegalArgumentException if the folder of {@code path} does not exist
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public static void write(Path path, List<String> lines) {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(path + ": the folder " + dir + " does not exist");
        }
        try {
            AtomicFiles.write(target, tmp -> {
                try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                    for (String line : lines) {
                        out.write(line);
                        out.write('\n');
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot write: " + e.getMessage(), e);
        }
    }
}
