package dev.npukit.mepic.replay;

import dev.npukit.mepic.Policy;

/**
 * What one policy did with one request stream.
 *
 * @param policy             the cache policy replayed
 * @param peakBlocks         most pool blocks referenced by running requests at once (shared blocks once)
 * @param meanBlocks         time-weighted mean of the same, from the first arrival to the last completion
 * @param peakResidentBlocks most blocks off the free list at once: in use plus evictable cached blocks
 * @param computedTokens     tokens prefilled (the sum of every plan's compute ranges)
 * @param loadedTokens       tokens whose KV was copied from the chunk store (the sum of every plan's load ranges)
 * @param promptTokens       padded prompt tokens of the admitted requests
 * @param queued             requests that had to wait for blocks at least once
 * @param rejected           requests larger than the whole pool
 * @param completed          requests that ran to the end
 * @param latencies          simulated arrival-to-last-token latency of each completed request, seconds
 * @param timesS             event times of the blocks-in-use series
 * @param blocksInUse        blocks in use after each event in {@code timesS}
 * @param loadedTokensByTier {@code loadedTokens} split by the store tier each chunk came from, in the order of
 *                           {@link ReplayConfig#tiers()}
 */
public record ReplayResult(Policy policy, int peakBlocks, double meanBlocks, int peakResidentBlocks,
        long computedTokens, long loadedTokens, long promptTokens, int queued, int rejected, int completed, double[] latencies,
        double[] timesS, int[] blocksInUse, long[] loadedTokensByTier) {

    /**
     * The mean latency.
     *
     * @return the mean of {@code latencies} in seconds; NaN when no request completed
     */
    public double meanLatencyS() {
        double sum = 0;
        for (double l : latencies) {
            sum += l;
        }
        return latencies.length == 0 ? Double.NaN : sum / latencies.length;
    }

    /**
     * The {@code q}-quantile (nearest rank) of the latencies.
     *
     * @param q the quantile in [0, 1], e.g. 0.99; values outside are clamped to the smallest or largest latency
     * @return the latency in seconds; NaN when no request completed
     */
    public double latencyQuantileS(double q) {
        if (latencies.length == 0) {
            return Double.NaN;
        }
        double[] sorted = latencies.clone();
        java.util.Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
