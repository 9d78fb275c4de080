package dev.npukit.mepic;

/** The outcome of {@link CacheManager#admit}: a plan, or why there is none. */
public sealed interface Admission permits Admission.Admitted, Admission.MustWait, Admission.Rejected {

    /**
     * The request holds its blocks; call {@link CacheManager#release} when it ends.
     *
     * @param plan what the engine must load and compute, and the blocks it holds
     */
    record Admitted(Plan plan) implements Admission {
    }

    /**
     * Not enough free or evictable blocks now; retry after running requests release theirs. Nothing is held.
     *
     * @param neededBlocks    new blocks the request needs, its decode reservation included
     * @param availableBlocks free plus evictable blocks not reserved by running requests, those it would reuse
     *                        excluded
     */
    record MustWait(int neededBlocks, int availableBlocks) implements Admission {
    }

    /**
     * The request needs more blocks than the whole pool has; it can never run. Nothing is held.
     *
     * @param neededBlocks blocks its padded prompt and decode tokens span
     * @param capacity     blocks in the pool
     */
    record Rejected(int neededBlocks, int capacity) implements Admission {
    }
}
