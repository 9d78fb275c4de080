package dev.npukit.sqlalign;

import java.util.ArrayList;
import java.util.List;

/**
 * The structural template of a query: its {@link SqlToken.Kind#structural() structural} tokens
 * (keywords, function names, operators, parentheses, commas, {@code *}), uppercased, joined by single
 * spaces. Identifiers, literals and quoted names are dropped, so queries that differ only in schema
 * and values share a template.
 */
public final class SqlTemplate {
    private SqlTemplate() {
    }

    /**
     * The template tokens of {@code sql}.
     *
     * @param sql one query
     * @return its structural tokens in order (keywords and function names uppercased)
     * @throws IllegalArgumentException if {@code sql} is null
     * @throws SqlSyntaxException if it cannot be lexed
     */
    public static List<String> tokens(String sql) {
        List<String> kept = new ArrayList<>();
        for (SqlToken t : SqlLexer.tokenize(sql)) {
            if (t.kind().structural()) {
                kept.add(t.text());
            }
        }
        return kept;
    }

    /**
     * The template of {@code sql} as one string.
     *
     * @param sql one query
     * @return its template tokens joined by single spaces, e.g. {@code SELECT COUNT ( * ) FROM}; empty if
     *     it has none
     * @throws IllegalArgumentException if {@code sql} is null
     * @throws SqlSyntaxException if it cannot be lexed
     */
    public static String of(String sql) {
        return String.join(" ", tokens(sql));
    }
}
