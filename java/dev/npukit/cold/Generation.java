package dev.npukit.cold;

/**
 * The result of one {@link DecodeRequest}.
 *
 * @param tokens the generated tokens, the EOS token included when it ended the request
 * @param stop why generation stopped
 */
public record Generation(int[] tokens, Stop stop) {

    public Generation {
        tokens = tokens.clone();
    }

    /** Why a request stopped. */
    public enum Stop { EOS, MAX_TOKENS }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
