package dev.npukit.mepic;

import static dev.npukit.mepic.Tokens.admitted;
import static dev.npukit.mepic.Tokens.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CacheManagerTest {
    private static final int BS = 16;

    @Test
    void paddingPutsEveryChunkOnABlockBoundary() {
        CacheManager m = new CacheManager(Policy.MEPIC, 64, BS, 7);
        int[][] parts = {random(1, 5), random(2, 20), random(3, 7), random(4, 33), random(5, 3)};
        Request r = Request.of(Segment.prompt(parts[0]), Segment.chunk(parts[1]), Segment.prompt(parts[2]),
                Segment.chunk(parts[3]), Segment.prompt(parts[4]));
        Plan p = admitted(m, r);
        int[] padded = p.paddedTokens();
        for (int s = 0; s < parts.length; s++) {
            int start = p.segmentStart(s);
            int pads = p.segmentPadding(s);
            boolean chunk = r.segments().get(s).isChunk();
            assertEquals(0, start % BS, "segment " + s + " starts on a block boundary");
            int realStart = chunk ? start + pads : start;
            for (int i = 0; i < parts[s].length; i++) {
                assertEquals(parts[s][i], padded[realStart + i]);
            }
            int padStart = chunk ? start : start + parts[s].length;
            for (int i = 0; i < pads; i++) {
                assertEquals(7, padded[padStart + i], "pad token");
            }
            if (s < parts.length - 1) {
                assertEquals(0, (parts[s].length + pads) % BS, "segment " + s + " ends on a block boundary");
            }
        }
        assertEquals(0, p.segmentPadding(4), "the last prompt is not padded");
        assertEquals(16 + 32 + 16 + 48 + 3, p.promptLength());
        assertEquals(8, p.numBlocks());
        assertEquals(List.of(new TokenRange(0, p.promptLength())), p.computeRanges(), "first sight computes all");
    }

    @Test
    void sameChunkAtDifferentOffsetsAndRequestsSharesCanonicalBlocks() {
        CacheManager m = new CacheManager(Policy.MEPIC, 256, BS);
        int[] doc = random(10, 100); // 7 blocks padded
        Plan a = admitted(m, Request.of(Segment.prompt(random(11, 3)), Segment.chunk(doc), Segment.prompt(random(12, 5))));
        m.publish(a);
        Plan b = admitted(m, Request.of(Segment.prompt(random(13, 40)), Segment.chunk(random(14, 64)),
                Segment.chunk(doc), Segment.prompt(random(15, 9))));
        m.publish(b);
        Plan c = admitted(m, Request.of(Segment.chunk(doc), Segment.prompt(random(16, 2))));
        assertEquals(a.chunkId(1), b.chunkId(2));
        assertEquals(a.chunkId(1), c.chunkId(0));
        int[] canonical = chunkBlocks(a, 1);
        assertArrayEquals(canonical, chunkBlocks(b, 2));
        assertArrayEquals(canonical, chunkBlocks(c, 0));
        int firstOfB = b.segmentStart(2) / BS;
        for (int j = 1; j < 7; j++) {
            assertEquals(BlockSource.CHUNK_SHARED, b.source(firstOfB + j));
            assertEquals(BlockSource.CHUNK_SHARED, c.source(j));
        }
        m.checkInvariants();
        CacheStats st = m.stats();
        assertEquals(6 + 3, st.chunkBlocks(), "one object of blocks 2..n per chunk: doc and b's other chunk");
        assertEquals(2, st.chunkObjects());
        // The shared blocks are not computed again: b computes only the first block of doc plus its own parts.
        int expected = b.promptLength() - 6 * BS;
        assertEquals(expected, b.computedTokens());
        for (TokenRange r : b.computeRanges()) {
            assertTrue(r.end() <= b.segmentStart(2) + BS || r.start() >= b.segmentStart(3), "no range inside shared blocks: " + r);
        }
    }

    @Test
    void firstBlockOfAReusedChunkIsAlwaysPrivate() {
        CacheManager m = new CacheManager(Policy.MEPIC, 256, BS);
        int[] doc = random(20, 64);
        Plan a = admitted(m, Request.of(Segment.chunk(doc), Segment.prompt(random(21, 5))));
        m.publish(a);
        Set<Integer> firstBlocks = new HashSet<>();
        firstBlocks.add(a.blockTable()[0]);
        for (int i = 0; i < 5; i++) {
            Plan p = admitted(m, Request.of(Segment.prompt(random(30 + i, 16)), Segment.chunk(doc)));
            int first = p.segmentStart(1) / BS;
            assertEquals(BlockSource.PRIVATE, p.source(first));
            assertTrue(firstBlocks.add(p.blockTable()[first]), "a new block for each request's first chunk block");
            assertTrue(p.computeRanges().contains(new TokenRange(0, 32)), "prompt and the chunk's first block are computed");
            assertEquals(32, p.computedTokens());
        }
        m.checkInvariants();
    }

    @Test
    void aChangedTokenGivesADifferentChunk() {
        CacheManager m = new CacheManager(Policy.MEPIC, 256, BS);
        int[] doc = random(40, 80);
        int[] changed = doc.clone();
        changed[50] ^= 1;
        Plan a = admitted(m, Request.of(Segment.chunk(doc)));
        m.publish(a);
        Plan b = admitted(m, Request.of(Segment.chunk(changed)));
        assertNotEquals(a.chunkId(0), b.chunkId(0));
        for (int j = 0; j < b.numBlocks(); j++) {
            assertEquals(BlockSource.PRIVATE, b.source(j));
        }
        assertEquals(80, b.computedTokens());
        // The same tokens with a different pad token are a different canonical layout, hence a different chunk.
        assertNotEquals(ChunkId.of(0, 0, doc), ChunkId.of(0, 1, doc));
    }

    @Test
    void aBlockInUseIsNeverFreedNorHandedOutTwice() {
        CacheManager m = new CacheManager(Policy.MEPIC, 40, BS);
        int[] doc = random(50, 64);
        Set<Integer> privateBlocks = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            Plan p = admitted(m, Request.of(Segment.prompt(random(60 + i, 10)), Segment.chunk(doc)));
            m.publish(p);
            for (int j = 0; j < p.numBlocks(); j++) {
                if (p.source(j) == BlockSource.PRIVATE) {
                    assertTrue(privateBlocks.add(p.blockTable()[j]), "block " + p.blockTable()[j] + " handed out twice");
                }
            }
        }
        int held = privateBlocks.iterator().next();
        assertTrue(m.pool().refCount(held) > 0);
        assertThrows(IllegalStateException.class, () -> m.pool().free(held));
        assertTrue(m.pool().refCount(held) > 0, "a refused free changes nothing");
        m.checkInvariants();
    }

    @Test
    void referenceCountsNeverGoNegative() {
        CacheManager m = new CacheManager(Policy.PREFIX, 16, BS);
        Plan p = admitted(m, Request.of(Segment.prompt(random(70, 40))));
        m.publish(p);
        m.release(p);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> m.release(p));
        assertTrue(e.getMessage().startsWith("plan: already released"), e.getMessage());
        for (int b = 0; b < 16; b++) {
            assertEquals(0, m.pool().refCount(b));
        }
        int cached = p.blockTable()[0];
        assertThrows(IllegalStateException.class, () -> m.pool().release(cached));
        assertEquals(0, m.pool().refCount(cached));
        m.checkInvariants();
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    void afterAllRequestsEndAndCachesClearThePoolIsWhole(Policy policy) {
        CacheManager m = new CacheManager(policy, 200, BS);
        int[] doc = random(80, 100);
        Plan[] plans = new Plan[4];
        for (int i = 0; i < plans.length; i++) {
            plans[i] = admitted(m, new Request(List.of(Segment.prompt(random(81 + i, 20)), Segment.chunk(doc),
                    Segment.prompt(random(90 + i, 7))), 40));
            m.publish(plans[i]);
            assertTrue(m.grow(plans[i], 40));
        }
        m.checkInvariants();
        for (Plan p : plans) {
            m.release(p);
        }
        m.checkInvariants();
        assertEquals(0, m.stats().inUseBlocks());
        m.clearCaches();
        m.checkInvariants();
        assertEquals(200, m.pool().freeBlocks());
        assertEquals(new CacheStats(200, 200, 0, 0, 0, 0, 0, 0, 0), m.stats());
    }

    @Test
    void evictionFreesWholeChunkObjectsInLruOrder() {
        // Each request is one chunk of 4 blocks: block 1 goes to the prefix cache, blocks 2..4 to a chunk object.
        CacheManager m = new CacheManager(Policy.MEPIC, 12, BS);
        int[] a = random(100, 64);
        int[] b = random(101, 64);
        int[] c = random(102, 64);
        for (int[] doc : List.of(a, b, c)) {
            Plan p = admitted(m, Request.of(Segment.chunk(doc)));
            m.publish(p);
            m.release(p);
        }
        assertEquals(0, m.pool().freeBlocks());
        assertEquals(3, m.stats().chunkObjects());
        // Reusing a makes it the most recently released; b is now the oldest.
        Plan again = admitted(m, Request.of(Segment.chunk(a)));
        assertEquals(0, again.computedTokens(), "prefix hit on block 1, chunk hit on 2..4");
        m.release(again);
        Plan d = admitted(m, Request.of(Segment.chunk(random(103, 64))));
        m.checkInvariants();
        assertFalse(m.isChunkCached(d.chunkId(0)), "not published yet");
        assertFalse(m.isChunkCached(idOf(b)), "b evicted whole");
        assertTrue(m.isChunkCached(idOf(a)));
        assertTrue(m.isChunkCached(idOf(c)));
        assertEquals(6, m.stats().chunkBlocks(), "two whole objects of 3 blocks remain");
        Plan e = admitted(m, Request.of(Segment.chunk(random(104, 64))));
        assertFalse(m.isChunkCached(idOf(c)), "c was released before a's reuse, so it goes next");
        assertTrue(m.isChunkCached(idOf(a)));
        m.checkInvariants();
        m.release(d);
        m.release(e);
        m.clearCaches();
        assertEquals(12, m.pool().freeBlocks());
    }

    @ParameterizedTest(name = "x used first: {0}")
    @ValueSource(booleans = {true, false})
    void chunksAPlanSharesBecomeEvictableInTheOrderItUsesThem(boolean xFirst) {
        CacheManager m = new CacheManager(Policy.MEPIC, 12, BS);
        int[] x = random(140, 64);
        int[] y = random(141, 64);
        Plan p = admitted(m, Request.of(Segment.chunk(x), Segment.chunk(y), Segment.prompt(random(142, 16))));
        m.publish(p);
        m.release(p); // x and y resident (3 blocks each), 3 blocks in the prefix cache, 3 free
        int[] usedFirst = xFirst ? x : y;
        int[] usedSecond = xFirst ? y : x;
        Plan user = admitted(m, Request.of(Segment.chunk(usedFirst), Segment.chunk(usedSecond),
                Segment.prompt(random(143, 16))));
        assertEquals(6, chunkShared(user));
        m.release(user);
        // 9 new blocks: the free ones, the prefix blocks released before the chunks, then the chunk object the
        // user released first, whole.
        admitted(m, Request.of(Segment.prompt(random(144, 9 * BS))));
        m.checkInvariants();
        assertFalse(m.isChunkCached(idOf(usedFirst)), "the chunk used first is released, so evicted, first");
        assertTrue(m.isChunkCached(idOf(usedSecond)));
    }

    private static int chunkShared(Plan p) {
        int n = 0;
        for (int j = 0; j < p.numBlocks(); j++) {
            n += p.source(j) == BlockSource.CHUNK_SHARED ? 1 : 0;
        }
        return n;
    }

    private static ChunkId idOf(int[] doc) {
        int pads = (BS - doc.length % BS) % BS;
        return ChunkId.of(0, pads, doc);
    }

    @Test
    void admissionRefusesWhatCannotFitAndHoldsNothing() {
        CacheManager m = new CacheManager(Policy.MEPIC, 10, BS);
        Admission tooBig = m.admit(new Request(List.of(Segment.prompt(random(110, 150))), 20));
        assertEquals(new Admission.Rejected(11, 10), tooBig);
        Plan p = admitted(m, new Request(List.of(Segment.prompt(random(111, 90))), 10)); // 6 + 1 reserved
        CacheStats before = m.stats();
        Admission wait = m.admit(Request.of(Segment.chunk(random(112, 64))));
        assertEquals(new Admission.MustWait(4, 3), wait);
        assertEquals(before, m.stats(), "a refusal holds nothing");
        m.checkInvariants();
        m.release(p);
        assertInstanceOf(Admission.Admitted.class, m.admit(Request.of(Segment.chunk(random(112, 64)))));
        m.checkInvariants();
    }

    @Test
    void pinnedChunksAreNotEvictable() {
        CacheManager m = new CacheManager(Policy.MEPIC, 8, BS);
        int[] doc = random(120, 64);
        Plan first = admitted(m, Request.of(Segment.chunk(doc)));
        m.publish(first);
        Plan user = admitted(m, Request.of(Segment.prompt(random(121, 16)), Segment.chunk(doc)));
        m.release(first);
        // 8 blocks: the chunk object (3, pinned by user), first's block 1 (evictable), user's 2 private.
        assertEquals(new Admission.MustWait(4, 3), m.admit(Request.of(Segment.chunk(random(122, 64)))));
        assertTrue(m.isChunkCached(idOf(doc)));
        m.checkInvariants();
    }

    @Test
    void growAllocatesAtBlockBoundariesFromTheReservation() {
        CacheManager m = new CacheManager(Policy.NONE, 6, BS);
        Plan p = admitted(m, new Request(List.of(Segment.prompt(random(130, 20))), 30)); // 2 blocks + 2 reserved
        assertEquals(2, p.numBlocks());
        assertEquals(2, p.reservedBlocks());
        assertTrue(m.grow(p, 12));
        assertEquals(2, p.numBlocks(), "32 tokens still fit in 2 blocks");
        assertTrue(m.grow(p, 1));
        assertEquals(3, p.numBlocks());
        assertEquals(1, p.reservedBlocks());
        Plan other = admitted(m, Request.of(Segment.prompt(random(131, 20))));
        assertEquals(List.of(new TokenRange(0, 20)), other.computeRanges());
        assertTrue(m.grow(p, 31), "the reserved block is still there although only 1 block is free");
        assertEquals(0, m.pool().freeBlocks());
        assertFalse(m.grow(p, 16), "beyond the reservation and the pool");
        assertEquals(4, p.numBlocks());
        assertEquals(64, p.length());
        m.checkInvariants();
        Set<Integer> ids = new HashSet<>();
        for (int b : p.blockTable()) {
            ids.add(b);
        }
        for (int b : other.blockTable()) {
            assertTrue(ids.add(b), "no block in two tables");
        }
    }

    @Test
    void policiesComputeWhatTheyPromise() {
        int[] doc = random(140, 200); // 13 blocks, 8 pads
        for (Policy policy : Policy.values()) {
            CacheManager m = new CacheManager(policy, 100, BS);
            Plan a = admitted(m, Request.of(Segment.prompt(random(141, 16)), Segment.chunk(doc), Segment.prompt(random(142, 4))));
            m.publish(a);
            assertEquals(16 + 208 + 4, a.computedTokens(), policy + " computes all on first sight");
            Plan b = admitted(m, Request.of(Segment.prompt(random(143, 32)), Segment.chunk(doc), Segment.prompt(random(144, 4))));
            int chunkStart = 32;
            int expected = switch (policy) {
                case NONE, PREFIX -> 32 + 208 + 4;
                case EPIC -> 32 + 16 + 4;
                case CACHEBLEND -> 32 + 30 + 4;
                case MEPIC -> 32 + 16 + 4;
            };
            assertEquals(expected, b.computedTokens(), policy.name());
            if (policy == Policy.EPIC) {
                assertEquals(List.of(new TokenRange(0, 32), new TokenRange(chunkStart + 8, chunkStart + 24),
                        new TokenRange(240, 244)), b.computeRanges());
            }
            int shared = 0;
            for (int j = 0; j < b.numBlocks(); j++) {
                shared += b.source(j) == BlockSource.CHUNK_SHARED ? 1 : 0;
            }
            assertEquals(policy == Policy.MEPIC ? 12 : 0, shared, policy.name());
            // An identical request is a prefix hit on every full block under every caching policy.
            Plan c = admitted(m, Request.of(Segment.prompt(random(141, 16)), Segment.chunk(doc), Segment.prompt(random(142, 4))));
            assertEquals(policy.prefixCaching() ? 4 : 228, c.computedTokens(), policy.name());
            m.checkInvariants();
        }
    }

    @Test
    void badArgumentsNameTheArgument() {
        assertMessage("blockSize:", () -> new CacheManager(Policy.MEPIC, 10, 0));
        assertMessage("numBlocks:", () -> new CacheManager(Policy.MEPIC, 0, 16));
        assertMessage("policy:", () -> new CacheManager(null, 10, 16));
        assertMessage("tokens:", () -> Segment.chunk(new int[0]));
        assertMessage("segments:", () -> new Request(List.of(), 0));
        assertMessage("maxNewTokens:", () -> new Request(List.of(Segment.prompt(new int[] {1})), -1));
        CacheManager m = new CacheManager(Policy.MEPIC, 10, 16);
        assertMessage("request:", () -> m.admit(null));
        Plan p = admitted(m, Request.of(Segment.prompt(new int[] {1, 2})));
        assertMessage("tokens:", () -> m.grow(p, -1));
        assertMessage("plan:", () -> m.release(null));
        assertMessage("i:", () -> p.segmentStart(1));
        assertMessage("i:", () -> p.chunkId(-1));
        assertMessage("policy:", () -> Policy.parse("lru"));
        assertEquals(Policy.CACHEBLEND, Policy.parse("cacheblend"));
    }

    private static void assertMessage(String prefix, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }

    private static int[] chunkBlocks(Plan p, int segment) {
        int first = p.segmentStart(segment) / BS;
        int n = (p.segmentPadding(segment) + p.request().segments().get(segment).length()) / BS;
        int[] table = p.blockTable();
        return java.util.Arrays.copyOfRange(table, first + 1, first + n);
    }
}
