package dev.npukit.sqlalign;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.npukit.util.Utf8Lines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads queries from a file, chosen by its name: {@code .jsonl}/{@code .json} is JSON Lines whose
 * objects carry the query in a string field {@code sql}; {@code .sql}/{@code .txt} holds one query per
 * line. Blank lines are skipped in both. Errors name the file and line.
 */
public final class QueryFile {
    private static final JsonFactory JSON = new JsonFactory();

    private QueryFile() {
    }

    /**
     * Whether {@code path}'s name says JSON Lines (otherwise one query per line). Case is ignored.
     *
     * @param path a file path; only its name is looked at
     * @return true for {@code .jsonl} and {@code .json}, false for {@code .sql} and {@code .txt}
     * @throws IllegalArgumentException for any other extension
     */
    public static boolean isJsonLines(Path path) {
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json")) {
            return true;
        }
        if (name.endsWith(".sql") || name.endsWith(".txt")) {
            return false;
        }
        throw new IllegalArgumentException(path + ": unknown file type; expected .jsonl or .json (JSON Lines with a"
                + " \"sql\" field) or .sql or .txt (one query per line)");
    }

    /** Longest line read: 16 MiB, far beyond any query. */
    private static final int MAX_LINE_BYTES = 16 << 20;

    /**
     * The queries of {@code path}, in file order, blank lines skipped. The file must be strict UTF-8.
     *
     * @param path a {@code .jsonl}, {@code .json}, {@code .sql} or {@code .txt} file
     * @return one example per non-blank line
     * @throws IllegalArgumentException if the file is missing or of an unknown type, or a line is not
     *     UTF-8, not one JSON object, or has no string field {@code sql} (the message names file and line)
     * @throws UncheckedIOException if the file cannot be read
     */
    public static List<SqlExample> read(Path path) {
        boolean json = isJsonLines(path);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(path + ": no such file");
        }
        List<SqlExample> out = new ArrayList<>();
        try {
            // Strict UTF-8, line by line: bytes that are not UTF-8 are an error naming the line.
            Utf8Lines.forEach(path, MAX_LINE_BYTES, (number, line) -> {
                if (!line.isBlank()) {
                    out.add(new SqlExample(number, json ? sqlField(path, number, line) : line, line));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * The {@code sql} string of one JSON object, read with the streaming parser (no tree is built). The
     * whole line is parsed, so a truncated or trailing-garbage line is an error, not a silent partial read.
     */
    private static String sqlField(Path path, int number, String line) {
        String where = path + ":" + number + ": ";
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException(where + "not a JSON object");
            }
            String sql = null;
            JsonToken token;
            while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("sql")) {
                    if (value != JsonToken.VALUE_STRING) {
                        throw new IllegalArgumentException(where + "field \"sql\" is not a string");
                    }
                    sql = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new IllegalArgumentException(where + "invalid JSON: not exactly one object on the line");
            }
            if (sql == null) {
                throw new IllegalArgumentException(where + "no field \"sql\"");
            }
            return sql;
        } catch (IOException e) {
            throw new IllegalArgumentException(where + "invalid JSON: " + e.getMessage(), e);
        }
    }
}
