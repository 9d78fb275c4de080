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

    /**
     * Checks the settings and copies {@code eosTokens}.
     *
     * @param alpha plausibility threshold in (0, 1]
     * @param beta contrast strength, finite and &gt;= 0
     * @param temperature 0 for greedy, else finite and &gt; 0
     * @param seed base seed of sampling
     * @param maxNewTokens default limit of generated tokens per request, &gt;= 1
     * @param eosTokens default tokens that end a request; empty for none
     * @throws IllegalArgumentException if a value is outside its range or {@code eosTokens} is null
     * @throws NullPointerException if {@code eosTokens} holds null
     */
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

    /**
     * The defaults.
     *
     * @return alpha 0.1, beta 0.5, greedy, seed 0, 64 new tokens, no EOS
     */
    public static ColdConfig defaults() {
        return builder().build();
    }

    /**
     * A builder holding the defaults.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether decoding samples.
     *
     * @return true when {@code temperature} &gt; 0 (Gumbel-max sampling), false for greedy argmax
     */
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

        /**
         * Sets the plausibility threshold (default 0.1).
         *
         * @param v alpha in (0, 1]: a token is a candidate when its expert probability is at least alpha times the
         *     expert's top probability; checked by {@link #build()}
         * @return this builder
         */
        public Builder alpha(float v) {
            alpha = v;
            return this;
        }

        /**
         * Sets the contrast strength (default 0.5).
         *
         * @param v beta, finite and &gt;= 0; 0 decodes the expert alone; checked by {@link #build()}
         * @return this builder
         */
        public Builder beta(float v) {
            beta = v;
            return this;
        }

        /**
         * Sample at this temperature (&gt; 0); 0 restores greedy decoding (the default).
         *
         * @param v the temperature, finite and &gt;= 0; checked by {@link #build()}
         * @return this builder
         */
        public Builder temperature(float v) {
            temperature = v;
            return this;
        }

        /**
         * Sets the base seed of sampling (default 0); unused when greedy.
         *
         * @param v the seed; the same seed gives the same tokens on every backend
         * @return this builder
         */
        public Builder seed(long v) {
            seed = v;
            return this;
        }

        /**
         * Sets the default limit of generated tokens per request (default 64).
         *
         * @param v the limit, &gt;= 1; checked by {@link #build()}
         * @return this builder
         */
        public Builder maxNewTokens(int v) {
            maxNewTokens = v;
            return this;
        }

        /**
         * Sets the default end-of-sequence tokens (default none).
         *
         * @param tokens token ids that end a request; none for no EOS
         * @return this builder
         * @throws IllegalArgumentException if a token is given twice
         * @throws NullPointerException if {@code tokens} or one of them is null
         */
        public Builder eosTokens(Integer... tokens) {
            eosTokens = Set.of(tokens);
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @return the configuration
         * @throws IllegalArgumentException if a value is outside its range (see {@link ColdConfig})
         */
        public ColdConfig build() {
            return new ColdConfig(alpha, beta, temperature, seed, maxNewTokens, eosTokens);
        }
    }
}
