package dev.npukit.sqlalign;

/** A query that got no template: its index in the input, the SQL, and why. */
public record TemplateFailure(int index, String sql, String reason) {
}
