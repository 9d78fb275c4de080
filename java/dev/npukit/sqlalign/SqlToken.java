package dev.npukit.sqlalign;

/** One lexical token of a query; {@code text} is the source text (keywords and functions uppercased). */
public record SqlToken(Kind kind, String text) {
    /** What a token is; {@link #structural()} says whether templates keep it. */
    public enum Kind {
        KEYWORD(true),
        /** A word that is not a keyword, directly followed by {@code (} (whitespace allowed). */
        FUNCTION(true),
        OPERATOR(true),
        LPAREN(true),
        RPAREN(true),
        COMMA(true),
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

        /** Kept in templates. */
        public boolean structural() {
            return structural;
        }
    }
}
