package dev.npukit.mepic;

/** Where a block of a plan's block table comes from. */
public enum BlockSource {
    /** A block of the prefix cache whose whole token prefix equals this request's; read only. */
    PREFIX_HIT,
    /**
     * A canonical block 2..n of a chunk resident in the chunk cache, shared across requests; read only. If
     * another plan is still loading it, {@link CacheManager#sharedKvState} says so.
     */
    CHUNK_SHARED,
    /**
     * A block allocated for this request alone; the plan's compute ranges and load ranges say which of its
     * tokens to fill and how.
     */
    PRIVATE,
    /**
     * MEPIC: a canonical block 2..n of a chunk that this plan loads from the {@link ChunkStore} (its load ranges
     * cover it). It is in the chunk cache from admission on, so other requests share it at once; they read it
     * only after {@link CacheManager#markLoaded} or {@link CacheManager#publish} of this plan.
     */
    CHUNK_LOADED;

    // A plan's table stores each block's source as one byte, its ordinal.
    static final byte PREFIX_HIT_CODE = (byte) PREFIX_HIT.ordinal();
    static final byte CHUNK_SHARED_CODE = (byte) CHUNK_SHARED.ordinal();
    static final byte PRIVATE_CODE = (byte) PRIVATE.ordinal();
    static final byte CHUNK_LOADED_CODE = (byte) CHUNK_LOADED.ordinal();
}
