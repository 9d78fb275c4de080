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

    /** A request with the decoder's default limits. */
    public static DecodeRequest of(int[] prompt, int adapter) {
        return new DecodeRequest(prompt, adapter, 0, null);
    }

    public DecodeRequest withMaxNewTokens(int n) {
        return new DecodeRequest(prompt, adapter, n, eosTokens);
    }

    public DecodeRequest withEosTokens(Integer... tokens) {
        return new DecodeRequest(prompt, adapter, maxNewTokens, Set.of(tokens));
    }

    @Override
    public int[] prompt() {
        return prompt.clone();
    }
}
