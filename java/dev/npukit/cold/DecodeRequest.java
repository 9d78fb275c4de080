package dev.npukit.cold;

import java.util.Set;

/**
 * One generation request: a prompt decoded with a LoRA adapter as the expert, contrasted with the
 * base model.
 *
 * @param prompt the prompt tokens, at least one
 * @param adapter the expert's LoRA adapter index, &gt;= 0
 * @param maxNewTokens the limit of generated tokens, or 0 for the decoder's default
 * @param eosTokens tokens that end this request, or null for the decoder's default
 */
public record DecodeRequest(int[] prompt, int adapter, int maxNewTokens, Set<Integer> eosTokens) {

    /**
     * Checks the fields and copies {@code prompt} and {@code eosTokens}.
     *
     * @param prompt the prompt tokens, at least one
     * @param adapter the expert's LoRA adapter index, &gt;= 0
     * @param maxNewTokens the limit of generated tokens, or 0 for the decoder's default
     * @param eosTokens tokens that end this request, or null for the decoder's default
     * @throws IllegalArgumentException if {@code prompt} is null or empty, {@code adapter} is negative or
     *     {@code maxNewTokens} is negative
     */
    public DecodeRequest {
        if (prompt == null || prompt.length == 0) {
            throw new IllegalArgumentException("prompt: must hold at least one token");
        }
        if (adapter < 0) {
            throw new IllegalArgumentException("adapter: is " + adapter + "; the expert needs an adapter (>= 0)");
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens: is " + maxNewTokens + "; must be >= 0 (0 = default)");
        }
        prompt = prompt.clone();
        eosTokens = eosTokens == null ? null : Set.copyOf(eosTokens);
    }

    /**
     * A request with the decoder's default limits.
     *
     * @param prompt the prompt tokens, at least one; copied
     * @param adapter the expert's LoRA adapter index, &gt;= 0
     * @return the request
     * @throws IllegalArgumentException if {@code prompt} is null or empty or {@code adapter} is negative
     */
    public static DecodeRequest of(int[] prompt, int adapter) {
        return new DecodeRequest(prompt, adapter, 0, null);
    }

    /**
     * This request with another token limit.
     *
     * @param n the limit of generated tokens, or 0 for the decoder's default
     * @return a new request
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public DecodeRequest withMaxNewTokens(int n) {
        return new DecodeRequest(prompt, adapter, n, eosTokens);
    }

    /**
     * This request with its own end-of-sequence tokens instead of the decoder's.
     *
     * @param tokens token ids that end this request; none for no EOS at all
     * @return a new request
     * @throws IllegalArgumentException if a token is given twice
     * @throws NullPointerException if {@code tokens} or one of them is null
     */
    public DecodeRequest withEosTokens(Integer... tokens) {
        return new DecodeRequest(prompt, adapter, maxNewTokens, Set.of(tokens));
    }

    /**
     * The prompt tokens.
     *
     * @return a copy of the prompt
     */
    @Override
    public int[] prompt() {
        return prompt.clone();
    }
}
