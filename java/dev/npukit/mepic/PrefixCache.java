package dev.npukit.mepic;

import java.util.Arrays;
import java.util.HashMap;

/**
 * Full blocks by chain key, and the blocks of them that no request references, in least-recently-released
 * order (an intrusive list over block ids, so no allocation per release). Guarded by the manager's lock.
 */
final class PrefixCache {
    private final HashMap<BlockKey, Integer> blockByKey = new HashMap<>();
    private final BlockKey[] keyOfBlock;
    private final int[] prev;
    private final int[] next;
    private final boolean[] inLru;
    private final long[] stamp;
    private int head = -1;
    private int tail = -1;
    private int lruSize;

    PrefixCache(int capacity) {
        keyOfBlock = new BlockKey[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        inLru = new boolean[capacity];
        stamp = new long[capacity];
        Arrays.fill(prev, -1);
        Arrays.fill(next, -1);
    }

    int lookup(BlockKey key) {
        Integer b = blockByKey.get(key);
        return b == null ? -1 : b;
    }

    boolean contains(int block) {
        return keyOfBlock[block] != null;
    }

    BlockKey keyOf(int block) {
        return keyOfBlock[block];
    }

    /** Registers a block under a key that is not cached yet. */
    void insert(BlockKey key, int block) {
        blockByKey.put(key, block);
        keyOfBlock[block] = key;
    }

    /** Forgets a cached block that no request references (eviction). */
    void remove(int block) {
        lruRemove(block);
        blockByKey.remove(keyOfBlock[block]);
        keyOfBlock[block] = null;
    }

    int size() {
        return blockByKey.size();
    }

    int evictableBlocks() {
        return lruSize;
    }

    boolean isEvictable(int block) {
        return inLru[block];
    }

    void lruAdd(int block, long when) {
        inLru[block] = true;
        stamp[block] = when;
        prev[block] = tail;
        next[block] = -1;
        if (tail >= 0) {
            next[tail] = block;
        } else {
            head = block;
        }
        tail = block;
        lruSize++;
    }

    void lruRemove(int block) {
        if (!inLru[block]) {
            return;
        }
        int p = prev[block];
        int n = next[block];
        if (p >= 0) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n >= 0) {
            prev[n] = p;
        } else {
            tail = p;
        }
        prev[block] = -1;
        next[block] = -1;
        inLru[block] = false;
        lruSize--;
    }

    /** The least recently released evictable block, or -1. */
    int lruHead() {
        return head;
    }

    long stampOf(int block) {
        return stamp[block];
    }
}
