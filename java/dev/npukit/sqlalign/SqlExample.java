package dev.npukit.sqlalign;

/**
 * One query read from a file: its 1-based line number, the SQL, and the line as read (so a selected
 * subset can be written back byte for byte).
 *
 * @param line the 1-based line number in the file
 * @param sql the query: the {@code sql} field of a JSON line, or the whole line of a {@code .sql}/{@code .txt}
 *     file
 * @param rawLine the line as read, without its terminator
 */
public record SqlExample(int line, String sql, String rawLine) {
}
