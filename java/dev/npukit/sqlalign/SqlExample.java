package dev.npukit.sqlalign;

/**
 * One query read from a file: its 1-based line number, the SQL, and the line as read (so a selected
 * subset can be written back byte for byte).
 */
public record SqlExample(int line, String sql, String rawLine) {
}
