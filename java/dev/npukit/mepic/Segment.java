package dev.npukit.mepic;

import java.util.Arrays;

/**
 * One part of a request: a reusable {@linkplain #chunk chunk} (a retrieved document or code chunk whose KV
 * may be shared across requests) or a request-specific {@linkplain #prompt prompt}. Immutable; the tokens are
 * copied on creation.
 */
public final class Segment {
    /** What a segment is; it decides the padding and whether its KV can be reused at another position. */
    public enum Kind {
        /** Reusable KV: leading padding to a block boundary, one canonical layout at any position. */
        CHUNK,
        /** Request-specific tokens: trailing padding unless the request ends with them. */
        PROMPT
    }

    private final Kind kind;
    private final int[] tokens;

    private Segment(Kind kind, int[] tokens) {
        if (tokens == null) {
            throw new IllegalArgumentException("tokens: is null");
        }
        if (tokens.length == 0) {
            throw new IllegalArgumentException("tokens: a " + kind.name().toLowerCase() + " segment needs at least one token");
        }
        this.kind = kind;
        this.tokens = tokens.clone();
    }

    /**
     * A reusable chunk; it gets leading padding so it starts on a block boundary and ends on one.
     *
     * @param tokens the chunk's token ids, at least one; copied
     * @return the chunk segment
     * @throws IllegalArgumentException if {@code tokens} is null or empty
     */
    public static Segment chunk(int[] tokens) {
        return new Segment(Kind.CHUNK, tokens);
    }

    /**
     * A request-specific prompt; it gets trailing padding unless it is the request's last segment.
     *
     * @param tokens the prompt's token ids, at least one; copied
     * @return the prompt segment
     * @throws IllegalArgumentException if {@code tokens} is null or empty
     */
    public static Segment prompt(int[] tokens) {
        return new Segment(Kind.PROMPT, tokens);
    }

    /** {@return whether this is a chunk or a prompt} */
    public Kind kind() {
        return kind;
    }

    /** {@return whether this is a reusable chunk} */
    public boolean isChunk() {
        return kind == Kind.CHUNK;
    }

    /** {@return the number of real (unpadded) tokens} */
    public int length() {
        return tokens.length;
    }

    /** {@return a copy of the real (unpadded) tokens} */
    public int[] tokens() {
        return tokens.clone();
    }

    /** The tokens without a copy, for the layout code in this package, which never writes to them. */
    int[] tokensNoCopy() {
        return tokens;
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase() + "(" + tokens.length + " tokens)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && s.kind == kind && Arrays.equals(s.tokens, tokens);
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + Arrays.hashCode(tokens);
    }
}
