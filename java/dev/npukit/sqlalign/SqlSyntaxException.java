package dev.npukit.sqlalign;

import dev.npukit.backend.NpukitException;

/** A query that the lexer cannot split into tokens (an unterminated quote, an unknown character). */
public final class SqlSyntaxException extends NpukitException {
    private final int position;

    public SqlSyntaxException(String message, int position) {
        super(message + " at character " + position);
        this.position = position;
    }

    /** The 0-based character offset in the query where lexing failed. */
    public int position() {
        return position;
    }
}
