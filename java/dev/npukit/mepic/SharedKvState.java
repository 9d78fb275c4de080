package dev.npukit.mepic;

/** Whether the shared chunk blocks of a plan hold their KV yet (see {@link CacheManager#sharedKvState}). */
public enum SharedKvState {
    /** Every shared block was computed or loaded: the prefill may read them. */
    READY,
    /** Some shared blocks are being loaded by another plan; wait for its {@link CacheManager#markLoaded}. */
    PENDING,
    /**
     * The plan that was loading some shared blocks was released before its loads finished, so they will never
     * hold valid KV. Release this plan and admit the request again.
     */
    LOST
}
