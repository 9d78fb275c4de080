package dev.npukit.mepic;

/** Where a block of a plan's block table comes from. */
public enum BlockSource {
    /** A block of the prefix cache whose whole token prefix equals this request's; read only. */
    PREFIX_HIT,
    /** A canonical block 2..n of a chunk resident in the chunk cache, shared across requests; read only. */
    CHUNK_SHARED,
    /** A block allocated for this request alone; the plan's compute ranges say which of its tokens to fill. */
    PRIVATE
}
