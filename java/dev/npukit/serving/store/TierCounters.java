package dev.npukit.serving.store;

import java.util.concurrent.atomic.LongAdder;

/** The mutable counters behind {@link TierStats}; thread-safe. */
final class TierCounters {
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder puts = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder badEntries = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder evictions = new LongAdder();

    ChunkKv hit(ChunkKv kv) {
        hits.increment();
        bytesRead.add(kv.bytes());
        return kv;
    }

    ChunkKv miss() {
        misses.increment();
        return null;
    }

    void put(ChunkKv kv) {
        puts.increment();
        bytesWritten.add(kv.bytes());
    }

    TierStats snapshot(String tier, long heldBytes) {
        return new TierStats(tier, hits.sum(), misses.sum(), puts.sum(), bytesRead.sum(), bytesWritten.sum(),
                badEntries.sum(), errors.sum(), dropped.sum(), evictions.sum(), heldBytes);
    }
}
