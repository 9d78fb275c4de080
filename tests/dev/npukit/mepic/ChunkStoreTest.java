package dev.npukit.mepic;

import static dev.npukit.mepic.Tokens.admitted;
import static dev.npukit.mepic.Tokens.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Loading chunk KV from the external store instead of computing it, for every chunk-reusing policy. */
class ChunkStoreTest {
    private static final int BS = 16;

    @Test
    void warmStoreMepicFirstAppearanceIsSharedByAConcurrentRequestBeforeTheFirstReleases() {
        CacheManager m = new CacheManager(Policy.MEPIC, 256, BS, 0, ChunkStore.warm());
        int[] doc = random(1, 100); // 12 pads, 7 blocks
        Plan a = admitted(m, Request.of(Segment.prompt(random(2, 16)), Segment.chunk(doc), Segment.prompt(random(3, 5))));
        int first = a.segmentStart(1) / BS;
        assertEquals(BlockSource.PRIVATE, a.source(first), "the first block is private");
        for (int j = 1; j < 7; j++) {
            assertEquals(BlockSource.CHUNK_LOADED, a.source(first + j));
        }
        assertEquals(List.of(new TokenRange(0, 32), new TokenRange(128, 133)), a.computeRanges(),
                "prompt, the chunk's first block (pads included) and the question are computed");
        assertEquals(List.of(new TokenRange(32, 128)), a.loadRanges(), "blocks 2..7 are loaded, not computed");
        assertTrue(m.isChunkCached(a.chunkId(1)), "canonical at admission, before any publish");
        assertEquals(SharedKvState.READY, m.sharedKvState(a), "a plan never waits for its own loads");

        // A second request arrives while the first is still loading: it shares the same canonical blocks.
        Plan b = admitted(m, Request.of(Segment.chunk(doc), Segment.prompt(random(4, 9))));
        assertArrayEquals(canonical(a, 1), canonical(b, 0));
        for (int j = 1; j < 7; j++) {
            assertEquals(BlockSource.CHUNK_SHARED, b.source(j));
            assertEquals(2, m.pool().refCount(b.blockTable()[j]));
        }
        assertEquals(List.of(new TokenRange(0, 16), new TokenRange(112, 121)), b.computeRanges());
        assertEquals(0, b.loadedTokens(), "nothing loaded twice");
        assertEquals(SharedKvState.PENDING, m.sharedKvState(b), "b may not read the blocks before a's load ends");
        m.checkInvariants();
        m.markLoaded(a);
        assertEquals(SharedKvState.READY, m.sharedKvState(b));
        m.publish(a);
        m.publish(b);
        CacheStats st = m.stats();
        assertEquals(6, st.chunkBlocks());
        assertEquals(1, st.chunkObjects());
        m.release(a);
        assertTrue(m.pool().refCount(b.blockTable()[1]) == 1, "b still holds the canonical blocks");
        m.release(b);
        m.checkInvariants();
    }

    @Test
    void aLoaderReleasedBeforeItsLoadsEndLosesTheBlocksForItsSharers() {
        CacheManager m = new CacheManager(Policy.MEPIC, 64, BS, 0, ChunkStore.warm());
        int[] doc = random(10, 64);
        Plan a = admitted(m, Request.of(Segment.chunk(doc)));
        Plan b = admitted(m, Request.of(Segment.prompt(random(11, 16)), Segment.chunk(doc)));
        int[] blocks = canonical(b, 1);
        m.release(a);
        m.checkInvariants();
        assertEquals(SharedKvState.LOST, m.sharedKvState(b));
        assertFalse(m.isChunkCached(b.chunkId(1)), "no new request may share never-loaded blocks");
        // A new request loads the chunk again into other blocks.
        Plan c = admitted(m, Request.of(Segment.chunk(doc)));
        assertEquals(BlockSource.CHUNK_LOADED, c.source(1));
        for (int blk : canonical(c, 0)) {
            for (int old : blocks) {
                assertTrue(blk != old, "fresh blocks");
            }
        }
        m.release(b);
        m.checkInvariants();
        for (int blk : blocks) {
            assertTrue(m.pool().isFree(blk), "the lost blocks are freed by their last user");
        }
        m.publish(c);
        m.release(c);
        m.clearCaches();
        assertEquals(64, m.pool().freeBlocks());
    }

    @Test
    void coldStoreEpicComputesAFirstSeenChunkWholeThenLoadsIt() {
        CacheManager m = new CacheManager(Policy.EPIC, 100, BS, 0, ChunkStore.cold());
        int[] doc = random(20, 200); // 13 blocks, 8 pads
        Plan a = admitted(m, Request.of(Segment.prompt(random(21, 32)), Segment.chunk(doc), Segment.prompt(random(22, 4))));
        assertEquals(List.of(new TokenRange(0, 244)), a.computeRanges(), "never seen: computed whole");
        assertTrue(a.loadRanges().isEmpty());
        assertFalse(m.chunkStore().contains(a.chunkId(1)));
        // A concurrent request before a's publish cannot load it either.
        Plan b = admitted(m, Request.of(Segment.prompt(random(23, 32)), Segment.chunk(doc), Segment.prompt(random(24, 4))));
        assertEquals(244, b.computedTokens());
        m.publish(a);
        assertTrue(m.chunkStore().contains(a.chunkId(1)), "computed chunks enter the store at publish");
        Plan c = admitted(m, Request.of(Segment.prompt(random(25, 32)), Segment.chunk(doc), Segment.prompt(random(26, 4))));
        // Chunk at 32: 8 pads, then 200 tokens; EPIC recomputes the first 16 real tokens and loads the rest.
        assertEquals(List.of(new TokenRange(0, 32), new TokenRange(40, 56), new TokenRange(240, 244)), c.computeRanges());
        assertEquals(List.of(new TokenRange(32, 40), new TokenRange(56, 240)), c.loadRanges());
        for (int j = 0; j < c.numBlocks(); j++) {
            assertEquals(BlockSource.PRIVATE, c.source(j), "EPIC's copies are private");
        }
        m.checkInvariants();
    }

    @Test
    void warmStoreEpicAndCacheBlendLoadEvenAFirstSeenChunk() {
        int[] doc = random(30, 200);
        for (Policy p : List.of(Policy.EPIC, Policy.CACHEBLEND)) {
            CacheManager m = new CacheManager(p, 100, BS, 0, ChunkStore.warm());
            Plan a = admitted(m, Request.of(Segment.prompt(random(31, 32)), Segment.chunk(doc), Segment.prompt(random(32, 4))));
            int recomputed = p == Policy.EPIC ? 16 : 30;
            assertEquals(32 + recomputed + 4, a.computedTokens(), p.name());
            assertEquals(208 - recomputed, a.loadedTokens(), p.name());
            m.checkInvariants();
        }
        // NONE and PREFIX have no chunk store: they compute.
        for (Policy p : List.of(Policy.NONE, Policy.PREFIX)) {
            CacheManager m = new CacheManager(p, 100, BS, 0, ChunkStore.warm());
            Plan a = admitted(m, Request.of(Segment.chunk(doc)));
            assertEquals(208, a.computedTokens(), p.name());
            assertEquals(0, a.loadedTokens(), p.name());
        }
    }

    @Test
    void coldStoreMepicLoadsAnEvictedChunkInsteadOfComputingIt() {
        CacheManager m = new CacheManager(Policy.MEPIC, 64, BS);
        int[] doc = random(40, 64);
        Plan a = admitted(m, Request.of(Segment.prompt(random(41, 16)), Segment.chunk(doc)));
        assertEquals(80, a.computedTokens(), "cold: computed whole");
        m.publish(a);
        m.release(a);
        m.clearCaches();
        assertFalse(m.isChunkCached(a.chunkId(1)), "evicted from HBM");
        assertTrue(m.chunkStore().contains(a.chunkId(1)), "but in the store");
        Plan b = admitted(m, Request.of(Segment.prompt(random(42, 16)), Segment.chunk(doc)));
        assertEquals(List.of(new TokenRange(0, 32)), b.computeRanges());
        assertEquals(List.of(new TokenRange(32, 80)), b.loadRanges());
        m.checkInvariants();
    }

    @Test
    void aChunkTwiceInOneRequestIsLoadedOnce() {
        CacheManager m = new CacheManager(Policy.MEPIC, 64, BS, 0, ChunkStore.warm());
        int[] doc = random(50, 48);
        Plan a = admitted(m, Request.of(Segment.chunk(doc), Segment.prompt(random(51, 16)), Segment.chunk(doc)));
        assertArrayEquals(canonical(a, 0), canonical(a, 2));
        assertEquals(32, a.loadedTokens());
        assertEquals(BlockSource.CHUNK_SHARED, a.source(5));
        assertEquals(SharedKvState.READY, m.sharedKvState(a));
        m.checkInvariants();
        m.release(a);
        m.checkInvariants();
        m.clearCaches();
        assertEquals(64, m.pool().freeBlocks());
    }

    private static int[] canonical(Plan p, int segment) {
        int first = p.segmentStart(segment) / BS;
        int n = (p.segmentPadding(segment) + p.request().segments().get(segment).length()) / BS;
        return java.util.Arrays.copyOfRange(p.blockTable(), first + 1, first + n);
    }
}
