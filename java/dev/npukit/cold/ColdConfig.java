package dev.npukit.cold;

import java.util.Set;

/**
 * Settings of {@link ContrastiveDecoder}. Defaults: alpha 0.1 and beta 0.5 (the values of
 * O'Brien and Lewis 2023 that CoLD uses), greedy decoding (temperature 0), seed 0, at most 64
 * new tokens, no end-of-sequence token. A request can override max tokens and EOS tokens.
 *
 * @param alpha plausibility threshold in (0, 1]: only tokens with expert probability at least
 *     alpha times the expert's top probability can be chosen
 * @param beta contrast strength, &gt;= 0; 0 is plain greedy (or sampled) decoding of the expert
 * @param temperature 0 for greedy, else the Gumbel-max sampling temperature (&gt; 0)
 * @param seed base seed of sampling; each request and step derives its own from it
 * @param maxNewTokens default limit of generated tokens per request, &gt;= 1
 * @param eosTokens default tokens that end a request (the EOS token is kept in the output)
 */
public record ColdConfig(float alpha, float beta, float temperature, long seed, int maxNewTokens,
        Set<Integer> eosTokens) {

    public ColdConfig {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha: is " + alpha + "; must be in (0, 1]");
        }
        if (!(Float.isFinite(beta) && beta >= 0)) {
            throw new IllegalArgumentException("beta: is " + beta + "; must be finite and >= 0");
        }
        if (!(Float.isFinite(temperature) && temperature >= 0)) {
            throw new IllegalArgumentException("temperature: is " + temperature
                    + "; must be 0 (greedy) or finite and > 0");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens: is " + maxNewTokens + "; must be >= 1");
        }
        if (eosTokens == null) {
            throw new IllegalArgumentException("eosTokens: is null; use an empty set for none");
        }
        eosTokens = Set.copyOf(eosTokens);
    }

    /** The defaults: alpha 0.1, beta 0.5, greedy, seed 0, 64 new tokens, no EOS. */
    public static ColdConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True when decoding samples instead of taking the argmax. */
    public boolean sampling() {
        return temperature > 0;
    }

    /** Builds a {@link ColdConfig}; {@link #build()} validates. */
    public static final class Builder {
        private float alpha = 0.1f;
        private float beta = 0.5f;
        private float temperature = 0f;
        private long seed = 0;
        private int maxNewTokens = 64;
        private Set<Integer> eosTokens = Set.of();

        public Builder alpha(float v) {
            alpha = v;
            return this;
        }

        public Builder beta(float v) {
            beta = v;
            return this;
        }

        /** Sample at this temperature (&gt; 0); 0 restores greedy decoding. */
        public Builder temperature(float v) {
            temperature = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        public Builder eosTokens(Integer... tokens) {
            eosTokens = Set.of(tokens);
            return this;
        }

        public ColdConfig build() {
            return new ColdConfig(alpha, beta, temperature, seed, maxNewTokens, eosTokens);
        }
    }
}
