package dev.npukit.mepic;

/** The outcome of {@link CacheManager#admit}: a plan, or why there is none. */
public sealed interface Admission permits Admission.Admitted, Admission.MustWait, Admission.Rejected {

    /** The request holds its blocks; call {@link CacheManager#release} when it ends. */
    record Admitted(Plan plan) implements Admission {
    }

    /** Not enough free or evictable blocks now; retry after running requests release theirs. Nothing is held. */
    record MustWait(int neededBlocks, int availableBlocks) implements Admission {
    }

    /** The request needs more blocks than the whole pool has; it can never run. Nothing is held. */
    record Rejected(int neededBlocks, int capacity) implements Admission {
    }
}
