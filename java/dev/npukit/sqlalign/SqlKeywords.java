package dev.npukit.sqlalign;

import java.util.Locale;
import java.util.Set;

/**
 * The fixed list of SQL keywords that a template keeps: the SQLite keywords that can shape a query
 * (SELECT statements, joins, set operations, predicates, CASE, CAST, CTEs, window clauses).
 *
 * <p>Left out on purpose, so they count as identifiers unless followed by {@code (}:
 * <ul>
 *   <li>{@code AS}: it only introduces a name (an alias, a CTE name, or the target type of
 *       {@code CAST}), and both are dropped; docs/sqlalign.md's example {@code CAST(x AS REAL)} gives
 *       {@code CAST ( )}. It is never a function name either ({@code WITH t AS (SELECT ...)}).</li>
 *   <li>type names ({@code REAL}, {@code INTEGER}, {@code TEXT}): schema-like, dropped.</li>
 *   <li>SQLite keywords used as bare table or column names in the shared data: {@code CURRENT},
 *       {@code FIRST}, {@code LAST}, {@code MATCH}, {@code RANGE}, {@code TIES}, {@code VIRTUAL}.</li>
 *   <li>{@code CURRENT_DATE}, {@code CURRENT_TIME}, {@code CURRENT_TIMESTAMP}, {@code TRUE},
 *       {@code FALSE}: values, dropped like literals.</li>
 *   <li>DDL and DML words ({@code CREATE}, {@code INSERT}, ...): the datasets hold queries only.</li>
 * </ul>
 */
public final class SqlKeywords {
    private SqlKeywords() {
    }

    private static final Set<String> KEYWORDS = Set.of(
            "SELECT", "DISTINCT", "ALL", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC",
            "LIMIT", "OFFSET",
            "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "NATURAL", "ON", "USING",
            "UNION", "INTERSECT", "EXCEPT",
            "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "GLOB", "REGEXP", "BETWEEN", "EXISTS", "ESCAPE",
            "COLLATE", "ISNULL", "NOTNULL",
            "CASE", "WHEN", "THEN", "ELSE", "END", "CAST",
            "WITH", "RECURSIVE",
            "OVER", "PARTITION", "WINDOW", "FILTER", "ROWS", "PRECEDING", "FOLLOWING", "UNBOUNDED", "NULLS");

    /**
     * Whether {@code word} is on the list.
     *
     * @param word a word, any case
     * @return true if templates keep it as a keyword
     */
    public static boolean isKeyword(String word) {
        return KEYWORDS.contains(word.toUpperCase(Locale.ROOT));
    }

    /**
     * Whether {@code word} is dropped even before {@code (}: only {@code AS}.
     *
     * @param word a word, any case
     * @return true for {@code AS}
     */
    public static boolean isAlwaysDropped(String word) {
        return word.equalsIgnoreCase("AS");
    }

    /**
     * The list (for documentation and tests).
     *
     * @return the keywords, uppercase, unmodifiable
     */
    public static Set<String> all() {
        return KEYWORDS;
    }
}
