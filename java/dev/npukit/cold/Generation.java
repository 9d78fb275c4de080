package dev.npukit.cold;

/**
 * The result of one {@link DecodeRequest}.
 *
 * @param tokens the generated tokens, the EOS token included when it ended the request
 * @param stop why generation stopped
 */
public record Generation(int[] tokens, Stop stop) {

    /**
     * A result; {@code tokens} is copied.
     *
     * @param tokens the generated tokens
     * @param stop why generation stopped
     * @throws NullPointerException if {@code tokens} is null
     */
    public Generation {
        tokens = tokens.clone();
    }

    /** Why a request stopped. */
    public enum Stop {
        /** The request generated one of its end-of-sequence tokens (the last of {@code tokens}). */
        EOS,
        /** The request reached its limit of generated tokens. */
        MAX_TOKENS
    }

    /**
     * The generated tokens.
     *
     * @return a copy of the tokens, the EOS token included when it ended the request
     */
    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
