package dev.npukit.sqlalign;

import dev.npukit.backend.NpukitException;

/** A query that the lexer cannot split into tokens (an unterminated quote, an unknown character). */
public final class SqlSyntaxException extends NpukitException {
    /** The 0-based character offset in the query where lexing failed. */
    private final int position;

    /**
     * A lexing failure.
     *
     * @param message what is wrong, e.g. "unterminated ' quote"; " at character N" is appended
     * @param position the 0-based character offset in the query where lexing failed
     */
    public SqlSyntaxException(String message, int position) {
        super(message + " at character " + position);
        this.position = position;
    }

    /**
     * Where lexing failed.
     *
     * @return the 0-based character offset in the query
     */
    public int position() {
        return position;
    }
}
