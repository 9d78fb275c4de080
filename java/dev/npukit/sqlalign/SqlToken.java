package dev.npukit.sqlalign;

/**
 * One lexical token of a query.
 *
 * @param kind what the token is
 * @param text the source text (keywords and functions uppercased)
 */
public record SqlToken(Kind kind, String text) {
    /** What a token is; {@link #structural()} says whether templates keep it. */
    public enum Kind {
        /** A word on the {@link SqlKeywords} list. */
        KEYWORD(true),
        /** A word that is not a keyword, directly followed by {@code (} (whitespace allowed). */
        FUNCTION(true),
        /** One of {@code = < > + - / % & | ~ <> != >= <= == || << >> -> ->>}. */
        OPERATOR(true),
        /** {@code (}. */
        LPAREN(true),
        /** {@code )}. */
        RPAREN(true),
        /** {@code ,}. */
        COMMA(true),
        /** {@code *}, as in {@code COUNT(*)}, {@code SELECT *} or {@code T1.*}. */
        STAR(true),
        /** A bare or qualified name ({@code T1.col}), possibly with quoted parts. */
        IDENTIFIER(false),
        /** A backticked or bracketed name. */
        QUOTED_NAME(false),
        /** {@code '...'} or {@code "..."} (Spider writes strings in double quotes, which SQLite accepts). */
        STRING(false),
        /** A number, including a leading sign when it is unary (see {@link SqlLexer}). */
        NUMBER(false),
        /** A bound parameter: {@code ?}, {@code ?1}, {@code :name}, {@code @name}, {@code $name}. */
        PARAMETER(false);

        private final boolean structural;

        Kind(boolean structural) {
            this.structural = structural;
        }

        /**
         * Whether templates keep tokens of this kind.
         *
         * @return true for keywords, function names, operators, parentheses, commas and {@code *}
         */
        public boolean structural() {
            return structural;
        }
    }
}
