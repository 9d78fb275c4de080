package dev.npukit.mepic.replay;

import dev.npukit.mepic.ChunkId;
import dev.npukit.mepic.Plan;
import dev.npukit.mepic.TokenRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Where each chunk of one replayed policy lives among the {@link StoreTiers}, and what its loads cost. The
 * bounded tiers are LRU maps of chunk to its size in tokens; the last tier holds every chunk the cache manager's
 * store holds, so it needs no map. Not thread-safe: one per policy run.
 */
final class TierModel {
    private final List<StoreTiers.Tier> tiers;
    private final List<LinkedHashMap<ChunkId, Integer>> held;
    private final long[] heldTokens;
    private final long[] loadedTokens;

    TierModel(StoreTiers tiers) {
        this.tiers = tiers.tiers();
        int bounded = this.tiers.size() - 1;
        this.held = new ArrayList<>(bounded);
        for (int i = 0; i < bounded; i++) {
            held.add(new LinkedHashMap<>(16, 0.75f, true));
        }
        this.heldTokens = new long[bounded];
        this.loadedTokens = new long[this.tiers.size()];
    }

    /**
     * Charges the loads of an admitted plan: each chunk segment's loaded tokens come from the fastest tier holding
     * the chunk, which is then copied into every faster tier.
     *
     * @return the simulated seconds of the plan's loads
     */
    double load(Plan plan) {
        double seconds = 0;
        for (int s = 0; s < plan.request().segments().size(); s++) {
            ChunkId id = plan.chunkId(s);
            if (id == null) {
                continue;
            }
            int start = plan.segmentStart(s);
            int end = segmentEnd(plan, s);
            int tokens = loadedIn(plan.loadRanges(), start, end);
            if (tokens == 0) {
                continue;
            }
            int tier = holder(id);
            loadedTokens[tier] += tokens;
            seconds += tokens * tiers.get(tier).loadSecondsPerToken();
            for (int t = 0; t < tier; t++) {
                insert(t, id, end - start);
            }
        }
        return seconds;
    }

    /** Writes every chunk of a published plan through to every tier (a computed chunk enters the store). */
    void publish(Plan plan) {
        for (int s = 0; s < plan.request().segments().size(); s++) {
            ChunkId id = plan.chunkId(s);
            if (id != null) {
                for (int t = 0; t < held.size(); t++) {
                    insert(t, id, segmentEnd(plan, s) - plan.segmentStart(s));
                }
            }
        }
    }

    /** {@return tokens loaded from each tier so far, in tier order} */
    long[] loadedTokens() {
        return loadedTokens.clone();
    }

    private int holder(ChunkId id) {
        for (int t = 0; t < held.size(); t++) {
            if (held.get(t).get(id) != null) {
                return t;
            }
        }
        return tiers.size() - 1;
    }

    private void insert(int tier, ChunkId id, int tokens) {
        LinkedHashMap<ChunkId, Integer> map = held.get(tier);
        long capacity = tiers.get(tier).capacityTokens();
        if (map.get(id) != null || tokens > capacity) {
            return;
        }
        var lru = map.entrySet().iterator();
        while (heldTokens[tier] + tokens > capacity) {
            heldTokens[tier] -= lru.next().getValue();
            lru.remove();
        }
        map.put(id, tokens);
        heldTokens[tier] += tokens;
    }

    private static int segmentEnd(Plan plan, int s) {
        return s + 1 < plan.request().segments().size() ? plan.segmentStart(s + 1) : plan.promptLength();
    }

    private static int loadedIn(List<TokenRange> ranges, int start, int end) {
        int n = 0;
        for (TokenRange r : ranges) {
            n += Math.max(0, Math.min(r.end(), end) - Math.max(r.start(), start));
        }
        return n;
    }
}
