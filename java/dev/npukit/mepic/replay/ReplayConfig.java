package dev.npukit.mepic.replay;

/**
 * Parameters of a replay.
 *
 * @param hbmBlocks             the pool's capacity in blocks
 * @param blockSize             tokens per block
 * @param qps                   mean Poisson arrival rate for requests without an arrival time
 * @param prefillSecondsPerToken simulated prefill time per computed token
 * @param decodeSecondsPerToken  simulated time per decoded token of one request
 * @param seed                  seeds the arrival process
 */
public record ReplayConfig(int hbmBlocks, int blockSize, double qps, double prefillSecondsPerToken,
        double decodeSecondsPerToken, long seed) {
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
    }
}
