package dev.npukit.mepic.replay;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The tiers of the external chunk store a replay simulates, fastest first, as a serving host's tiered chunk
 * store has them (host memory, local disk, a shared Redis; see {@code dev.npukit.serving.store}). A chunk is
 * loaded from the fastest tier that holds it and then copied into every faster tier; a chunk a request computes
 * is written to every tier. Each tier but the last holds at most {@code capacityTokens} tokens of chunks and
 * drops its least recently used chunks to make room; the last tier is unbounded, so it holds every chunk the
 * store holds.
 *
 * @param tiers the tiers, fastest first; at least one; names distinct; only the last has no capacity
 */
public record StoreTiers(List<Tier> tiers) {

    /**
     * Default load cost of a host-memory tier, seconds per token: copying a Mistral-7B F16 token's KV (128 KiB:
     * 32 layers × K and V × 8 heads × 128 × 2 bytes) into HBM at about 25 GB/s; the memory tier hands out the
     * entry it holds without a copy.
     */
    public static final double MEMORY_SECONDS_PER_TOKEN = 5e-6;

    /**
     * Default load cost of a local-disk tier, seconds per token: the host-to-HBM copy plus reading 128 KiB at
     * 9.9 GB/s, the disk tier's read of a Mistral-7B chunk (the serving engine's load path) in
     * {@code docs/chunk-store.md} (an idle 2-core host, page cache warm; measure yours with
     * {@code npukit bench chunk-store}).
     */
    public static final double DISK_SECONDS_PER_TOKEN = 18e-6;

    /**
     * Default load cost of a Redis tier, seconds per token: the host-to-HBM copy plus fetching 128 KiB at
     * 2.6 GB/s, the Redis tier's read of a Mistral-7B chunk from a server on loopback in
     * {@code docs/chunk-store.md} (an idle 2-core host; measure yours with {@code npukit bench chunk-store}).
     */
    public static final double REDIS_SECONDS_PER_TOKEN = 55e-6;

    /**
     * One tier.
     *
     * @param name                a short name, as in reports ({@code memory}, {@code disk}, {@code redis})
     * @param capacityTokens      the most tokens of chunk KV the tier holds, &gt; 0; {@link Long#MAX_VALUE} for an
     *                            unbounded tier
     * @param loadSecondsPerToken simulated time to bring one token's KV from this tier into HBM, &ge; 0
     */
    public record Tier(String name, long capacityTokens, double loadSecondsPerToken) {
        /**
         * Checks the tier.
         *
         * @param name                a short name
         * @param capacityTokens      the most tokens the tier holds, &gt; 0, or {@link Long#MAX_VALUE}
         * @param loadSecondsPerToken seconds to bring one token's KV into HBM, finite and &ge; 0
         * @throws IllegalArgumentException if the name is empty, the capacity is not positive or the cost is
         *                                  negative or not finite
         */
        public Tier {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("name: a tier needs a name");
            }
            if (capacityTokens <= 0) {
                throw new IllegalArgumentException("capacityTokens: tier " + name + " must hold > 0 tokens, got "
                        + capacityTokens);
            }
            if (!(loadSecondsPerToken >= 0) || Double.isInfinite(loadSecondsPerToken)) {
                throw new IllegalArgumentException("loadSecondsPerToken: tier " + name
                        + " needs a finite cost >= 0, got " + loadSecondsPerToken);
            }
        }

        /** {@return whether the tier has no capacity limit} */
        public boolean unbounded() {
            return capacityTokens == Long.MAX_VALUE;
        }
    }

    /**
     * Checks the tiers.
     *
     * @param tiers the tiers, fastest first
     * @throws IllegalArgumentException if there is no tier, two share a name, or a tier other than the last is
     *                                  unbounded or the last is bounded
     */
    public StoreTiers {
        if (tiers == null || tiers.isEmpty()) {
            throw new IllegalArgumentException("tiers: at least one tier is needed");
        }
        tiers = List.copyOf(tiers);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tiers.size(); i++) {
            Tier t = tiers.get(i);
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tiers: tier " + t.name() + " is given twice");
            }
            boolean last = i == tiers.size() - 1;
            if (last && !t.unbounded()) {
                throw new IllegalArgumentException("tiers: the last tier (" + t.name()
                        + ") holds every stored chunk, so it takes no capacity");
            }
            if (!last && t.unbounded()) {
                throw new IllegalArgumentException("tiers: tier " + t.name()
                        + " is not the last, so it needs a capacity in tokens");
            }
        }
    }

    /**
     * One unbounded host-memory tier: every stored chunk loads at the same cost.
     *
     * @param loadSecondsPerToken simulated time to bring one token's KV into HBM, &ge; 0
     * @return the tiers
     */
    public static StoreTiers single(double loadSecondsPerToken) {
        return new StoreTiers(List.of(new Tier("memory", Long.MAX_VALUE, loadSecondsPerToken)));
    }

    /**
     * The default load cost of a tier kind, from the chunk-store benchmark (see the constants).
     *
     * @param name {@code memory}, {@code disk} or {@code redis}, any case
     * @return seconds per token
     * @throws IllegalArgumentException for another name
     */
    public static double defaultSecondsPerToken(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "memory" -> MEMORY_SECONDS_PER_TOKEN;
            case "disk" -> DISK_SECONDS_PER_TOKEN;
            case "redis" -> REDIS_SECONDS_PER_TOKEN;
            default -> throw new IllegalArgumentException("name: unknown tier '" + name
                    + "', expected memory, disk or redis");
        };
    }

    /** {@return the fastest tier} */
    public Tier first() {
        return tiers.get(0);
    }
}
