package dev.npukit.mepic;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Resident chunks: one object per chunk holding its canonical blocks 2..n and a count of the running requests
 * that use it. Objects that no request uses are evictable, whole, in least-recently-released order. Guarded
 * by the manager's lock.
 */
final class ChunkCache {
    /** One resident chunk. */
    static final class Entry {
        final ChunkId id;
        final int[] blocks;
        int refCount;
        long stamp;
        /** The plan loading these blocks from the store, until its loads are done; null once they hold KV. */
        Plan loader;
        /** Its loader was released before the loads finished: no longer indexed, freed by its last user. */
        boolean lost;

        Entry(ChunkId id, int[] blocks) {
            this.id = id;
            this.blocks = blocks;
        }
    }

    private final HashMap<ChunkId, Entry> entries = new HashMap<>();
    /** Insertion order is release order, so the first entry is the least recently released. */
    private final LinkedHashMap<ChunkId, Entry> lru = new LinkedHashMap<>();
    private int cachedBlocks;
    private int evictableBlocks;

    Entry get(ChunkId id) {
        return entries.get(id);
    }

    /** Adds an entry that one request (its publisher) references. */
    Entry insert(ChunkId id, int[] blocks) {
        Entry e = new Entry(id, blocks);
        e.refCount = 1;
        entries.put(id, e);
        cachedBlocks += blocks.length;
        return e;
    }

    void pin(Entry e) {
        if (e.refCount++ == 0) {
            lru.remove(e.id);
            evictableBlocks -= e.blocks.length;
        }
    }

    void unpin(Entry e, long when) {
        if (e.refCount <= 0) {
            throw new IllegalStateException("chunk " + e.id + ": released with reference count " + e.refCount);
        }
        if (--e.refCount == 0 && !e.lost) {
            e.stamp = when;
            lru.put(e.id, e);
            evictableBlocks += e.blocks.length;
        }
    }

    /** The least recently released entry that no request uses, or null. */
    Entry lruHead() {
        Iterator<Entry> it = lru.values().iterator();
        return it.hasNext() ? it.next() : null;
    }

    /** Drops an entry that no request uses; the caller frees its blocks. */
    void remove(Entry e) {
        if (e.refCount != 0) {
            throw new IllegalStateException("chunk " + e.id + ": evicted while in use by " + e.refCount + " requests");
        }
        lru.remove(e.id);
        entries.remove(e.id);
        cachedBlocks -= e.blocks.length;
        evictableBlocks -= e.blocks.length;
    }

    /**
     * Takes an entry whose blocks will never hold valid KV out of the index while requests still reference it
     * (or just before its last one lets go); the caller unflags its blocks so that they are freed on release.
     */
    void detach(Entry e) {
        if (e.refCount == 0) {
            throw new IllegalStateException("chunk " + e.id + ": detached while unreferenced");
        }
        entries.remove(e.id);
        cachedBlocks -= e.blocks.length;
        e.lost = true;
        e.loader = null;
    }

    Iterable<Entry> entries() {
        return entries.values();
    }

    int size() {
        return entries.size();
    }

    int cachedBlocks() {
        return cachedBlocks;
    }

    int evictableBlocks() {
        return evictableBlocks;
    }

    int lruSize() {
        return lru.size();
    }
}
