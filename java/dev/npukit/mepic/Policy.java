package dev.npukit.mepic;

/**
 * How a {@link CacheManager} reuses KV. All policies run on the same {@link BlockPool}; what differs is which
 * blocks a request may share and how many of its tokens it must compute.
 *
 * <p>Block accounting, which makes the comparison between policies honest: every block in a request's block
 * table is a block of the HBM pool with a reference from that request. A block shared by several running
 * requests (a prefix hit or a canonical chunk block) is counted once. Blocks that no running request
 * references but that a cache keeps resident are evictable: they are reclaimed whenever a request needs room,
 * so they are reported apart from the blocks in use. EPIC and CacheBlend keep reusable chunk KV in a store
 * outside HBM (CPU memory or disk) and copy it into private blocks of each request, so that store costs no
 * pool blocks, but every running request holds its own full set of blocks.
 */
public enum Policy {
    /** No reuse: every block private, every token computed, nothing cached. */
    NONE(false),
    /** vLLM-style automatic prefix caching: full blocks are cached under a hash chain over the token prefix. */
    PREFIX(true),
    /**
     * EPIC: prefix caching, plus chunk KV copied from an external store into private blocks, recomputing the
     * first {@value #EPIC_RECOMPUTE_TOKENS} real tokens of each reused chunk.
     */
    EPIC(true),
    /**
     * CacheBlend: prefix caching, plus chunk KV copied from an external store into private blocks, recomputing
     * {@value #CACHEBLEND_RECOMPUTE_PERCENT} percent of each reused chunk's real tokens. CacheBlend chooses those
     * tokens at run time from the first layer's KV deviation; the plan marks the chunk's first tokens as a
     * stand-in of the same count, which is what the cache manager's accounting depends on.
     */
    CACHEBLEND(true),
    /**
     * MEPIC: prefix caching plus an HBM chunk cache. Canonical blocks 2..n of a resident chunk are shared by
     * every request that uses the chunk; the first block of a reused chunk is always private and recomputed
     * (or a prefix hit), so its tokens attend to this request's context.
     */
    MEPIC(true);

    /** Tokens EPIC recomputes at the start of each reused chunk. */
    public static final int EPIC_RECOMPUTE_TOKENS = 16;
    /** Percent of a reused chunk's tokens that CacheBlend recomputes. */
    public static final int CACHEBLEND_RECOMPUTE_PERCENT = 15;

    private final boolean prefixCaching;

    Policy(boolean prefixCaching) {
        this.prefixCaching = prefixCaching;
    }

    /**
     * {@return whether full computed blocks go to the prefix cache, where later requests with the same token
     * prefix reuse them}
     */
    public boolean prefixCaching() {
        return prefixCaching;
    }

    /**
     * {@return whether reused chunk KV comes from the {@link ChunkStore} as private copies in each request's own
     * blocks, with a share of each chunk recomputed (EPIC, CacheBlend)}
     */
    public boolean copiesChunks() {
        return this == EPIC || this == CACHEBLEND;
    }

    /**
     * {@return whether a resident chunk's canonical blocks 2..n sit in an HBM chunk cache that every request
     * using the chunk shares, while the first block of each reused chunk is private and recomputed (MEPIC)}
     */
    public boolean sharesChunks() {
        return this == MEPIC;
    }

    /**
     * {@return whether chunk KV is reused at all, {@linkplain #copiesChunks copied} or
     * {@linkplain #sharesChunks shared}} Such a policy loads stored chunks from the {@link ChunkStore} and puts
     * the chunks it computes there.
     */
    public boolean reusesChunks() {
        return copiesChunks() || sharesChunks();
    }

    /** Real tokens of a reused chunk of {@code length} tokens that a copying policy recomputes. */
    int recomputedChunkTokens(int length) {
        return switch (this) {
            case EPIC -> Math.min(EPIC_RECOMPUTE_TOKENS, length);
            case CACHEBLEND -> (int) Math.min(length, ((long) length * CACHEBLEND_RECOMPUTE_PERCENT + 99) / 100);
            default -> length;
        };
    }

    /**
     * Parses a policy name case-insensitively.
     *
     * @param name a policy's name, such as {@code mepic}
     * @return the policy of that name
     * @throws IllegalArgumentException starting with {@code policy:} if no policy has that name
     */
    public static Policy parse(String name) {
        for (Policy p : values()) {
            if (p.name().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("policy: unknown policy '" + name + "', expected one of NONE, PREFIX, EPIC, CACHEBLEND, MEPIC");
    }
}
