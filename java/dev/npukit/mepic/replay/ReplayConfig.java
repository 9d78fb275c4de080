package dev.npukit.mepic.replay;

import dev.npukit.mepic.ChunkStore;

/**
 * Parameters of a replay.
 *
 * @param hbmBlocks              the pool's capacity in blocks
 * @param blockSize              tokens per block
 * @param qps                    mean Poisson arrival rate for requests without an arrival time
 * @param prefillSecondsPerToken simulated prefill time per computed token
 * @param decodeSecondsPerToken  simulated time per decoded token of one request
 * @param seed                   seeds the arrival process
 * @param store                  what the external chunk store holds when the replay starts; the same for every policy
 * @param tiers                  the store's tiers and what a token's load from each costs
 */
public record ReplayConfig(int hbmBlocks, int blockSize, double qps, double prefillSecondsPerToken,
        double decodeSecondsPerToken, long seed, Store store, StoreTiers tiers) {

    /**
     * Default load cost: 5 µs per token, {@link StoreTiers#MEMORY_SECONDS_PER_TOKEN}, a twentieth of the default
     * prefill cost.
     */
    public static final double DEFAULT_LOAD_SECONDS_PER_TOKEN = StoreTiers.MEMORY_SECONDS_PER_TOKEN;

    /** The chunk store's starting state. */
    public enum Store {
        /** Every chunk's KV is in the store already (the corpus was processed offline), as in the MEPIC paper. */
        WARM,
        /** The store starts empty; a chunk enters it when a request first computes it. */
        COLD;

        /**
         * A fresh store in this state, one per replayed policy.
         *
         * @return a new store: holding every chunk (WARM) or empty (COLD)
         */
        public ChunkStore create() {
            return this == WARM ? ChunkStore.warm() : ChunkStore.cold();
        }
    }

    /**
     * Checks the parameters.
     *
     * @param hbmBlocks the pool's capacity in blocks, &gt; 0
     * @param blockSize tokens per block, &gt; 0
     * @param qps mean Poisson arrival rate in requests per second, finite and &gt; 0
     * @param prefillSecondsPerToken simulated prefill time per computed token, seconds, &gt;= 0
     * @param decodeSecondsPerToken simulated time per decoded token of one request, seconds, &gt;= 0
     * @param seed seeds the arrival process
     * @param store the chunk store's starting state
     * @param tiers the store's tiers, with a load cost per tier
     * @throws IllegalArgumentException if a value is outside its range or {@code store} or {@code tiers} is null
     */
    public ReplayConfig {
        if (hbmBlocks <= 0) {
            throw new IllegalArgumentException("hbmBlocks: must be > 0, got " + hbmBlocks);
        }
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize: must be > 0, got " + blockSize);
        }
        if (!(qps > 0) || Double.isInfinite(qps)) {
            throw new IllegalArgumentException("qps: must be a finite number > 0, got " + qps);
        }
        if (!(prefillSecondsPerToken >= 0) || !(decodeSecondsPerToken >= 0)) {
            throw new IllegalArgumentException("prefillSecondsPerToken: costs must be >= 0");
        }
        if (store == null) {
            throw new IllegalArgumentException("store: is null");
        }
        if (tiers == null) {
            throw new IllegalArgumentException("tiers: is null");
        }
    }

    /**
     * A replay whose store is one tier with one load cost.
     *
     * @param hbmBlocks the pool's capacity in blocks, &gt; 0
     * @param blockSize tokens per block, &gt; 0
     * @param qps mean Poisson arrival rate in requests per second, finite and &gt; 0
     * @param prefillSecondsPerToken simulated prefill time per computed token, seconds, &gt;= 0
     * @param decodeSecondsPerToken simulated time per decoded token of one request, seconds, &gt;= 0
     * @param seed seeds the arrival process
     * @param store the chunk store's starting state
     * @param loadSecondsPerToken simulated time to load one token's KV from the store, seconds, &gt;= 0
     * @throws IllegalArgumentException if a value is outside its range or {@code store} is null
     */
    public ReplayConfig(int hbmBlocks, int blockSize, double qps, double prefillSecondsPerToken,
            double decodeSecondsPerToken, long seed, Store store, double loadSecondsPerToken) {
        this(hbmBlocks, blockSize, qps, prefillSecondsPerToken, decodeSecondsPerToken, seed, store,
                StoreTiers.single(loadSecondsPerToken));
    }

    /** {@return the load cost of the fastest tier, seconds per token} */
    public double loadSecondsPerToken() {
        return tiers.first().loadSecondsPerToken();
    }

    /**
     * A replay with a warm chunk store and the default load cost ({@value #DEFAULT_LOAD_SECONDS_PER_TOKEN} s per
     * token).
     *
     * @param hbmBlocks the pool's capacity in blocks, &gt; 0
     * @param blockSize tokens per block, &gt; 0
     * @param qps mean Poisson arrival rate in requests per second, finite and &gt; 0
     * @param prefillSecondsPerToken simulated prefill time per computed token, seconds, &gt;= 0
     * @param decodeSecondsPerToken simulated time per decoded token of one request, seconds, &gt;= 0
     * @param seed seeds the arrival process
     * @throws IllegalArgumentException if a value is outside its range
     */
    public ReplayConfig(int hbmBlocks, int blockSize, double qps, double prefillSecondsPerToken,
            double decodeSecondsPerToken, long seed) {
        this(hbmBlocks, blockSize, qps, prefillSecondsPerToken, decodeSecondsPerToken, seed, Store.WARM,
                DEFAULT_LOAD_SECONDS_PER_TOKEN);
    }

    /**
     * The same parameters with another chunk store.
     *
     * @param s the chunk store's starting state
     * @return a new configuration
     * @throws IllegalArgumentException if {@code s} is null
     */
    public ReplayConfig withStore(Store s) {
        return new ReplayConfig(hbmBlocks, blockSize, qps, prefillSecondsPerToken, decodeSecondsPerToken, seed, s, tiers);
    }
}
