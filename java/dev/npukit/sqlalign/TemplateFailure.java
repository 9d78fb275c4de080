package dev.npukit.sqlalign;

/**
 * A query that got no template.
 *
 * @param index its 0-based index in the input
 * @param sql the query
 * @param reason the lexer's message, e.g. "unexpected character '#' at character 12"
 */
public record TemplateFailure(int index, String sql, String reason) {
}
