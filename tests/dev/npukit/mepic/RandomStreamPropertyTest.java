package dev.npukit.mepic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Random request streams through every policy, checking the invariants after every step. */
class RandomStreamPropertyTest {
    private static final int BS = 8;
    private static final int CAPACITY = 160;

    static Stream<Arguments> policiesAndStores() {
        return Stream.of(Policy.values()).flatMap(p -> Stream.of(Arguments.of(p, true), Arguments.of(p, false)));
    }

    @ParameterizedTest(name = "{0}, warm store {1}")
    @MethodSource("policiesAndStores")
    void invariantsHoldAfterEveryStep(Policy policy, boolean warm) {
        int[] seen = new int[SharedKvState.values().length];
        for (long seed = 1; seed <= 6; seed++) {
            run(policy, warm, seed, seen);
        }
        if (policy == Policy.MEPIC && warm) {
            assertTrue(seen[SharedKvState.PENDING.ordinal()] > 0 && seen[SharedKvState.LOST.ordinal()] > 0,
                    "the stream reaches shared blocks still loading and lost ones: " + java.util.Arrays.toString(seen));
        }
    }

    private static void run(Policy policy, boolean warm, long seed, int[] seen) {
        Random rnd = new Random(seed);
        int[][] corpus = new int[12][];
        for (int i = 0; i < corpus.length; i++) {
            corpus[i] = Tokens.random(seed * 1000 + i, 1 + rnd.nextInt(40));
        }
        CacheManager m = new CacheManager(policy, CAPACITY, BS, 0, warm ? ChunkStore.warm() : ChunkStore.cold());
        List<Plan> running = new ArrayList<>();
        for (int step = 0; step < 400; step++) {
            int op = rnd.nextInt(10);
            if (op < 4 || running.isEmpty()) {
                Request r = randomRequest(rnd, corpus, seed * 100000 + step);
                Admission a = m.admit(r);
                if (a instanceof Admission.Admitted ok) {
                    checkPlan(m, ok.plan());
                    running.add(ok.plan());
                } else if (a instanceof Admission.MustWait w) {
                    assertTrue(w.neededBlocks() > w.availableBlocks(), a.toString());
                } else {
                    assertInstanceOf(Admission.Rejected.class, a);
                }
            } else if (op < 6) {
                Plan p = running.get(rnd.nextInt(running.size()));
                if (!p.published) {
                    if (rnd.nextBoolean()) {
                        m.markLoaded(p);
                    } else {
                        m.publish(p);
                    }
                }
            } else if (op < 8) {
                Plan p = running.get(rnd.nextInt(running.size()));
                int before = p.numBlocks();
                boolean grew = m.grow(p, 1 + rnd.nextInt(12));
                assertTrue(grew || p.numBlocks() == before, "a failed grow changes nothing");
            } else if (op < 10) {
                m.release(running.remove(rnd.nextInt(running.size())));
            }
            if (step % 97 == 0) {
                m.clearCaches();
            }
            m.checkInvariants();
            checkNoBlockHeldTwicePrivately(running);
            for (Plan p : running) {
                SharedKvState st = m.sharedKvState(p);
                seen[st.ordinal()]++;
                if (policy != Policy.MEPIC) {
                    assertEquals(SharedKvState.READY, st, "only MEPIC shares blocks being loaded");
                }
            }
        }
        for (Plan p : running) {
            m.release(p);
        }
        m.clearCaches();
        m.checkInvariants();
        assertEquals(CAPACITY, m.pool().freeBlocks(), policy + " seed " + seed + ": the pool is whole again");
        if (!warm) {
            assertTrue(policy.copiesChunks() || policy == Policy.MEPIC || ((ChunkStore.Cold) m.chunkStore()).size() == 0,
                    "NONE and PREFIX never write the store");
        }
    }

    private static Request randomRequest(Random rnd, int[][] corpus, long seed) {
        List<Segment> segs = new ArrayList<>();
        int n = 1 + rnd.nextInt(5);
        for (int i = 0; i < n; i++) {
            if (rnd.nextInt(3) == 0) {
                segs.add(Segment.prompt(Tokens.random(seed * 10 + i, 1 + rnd.nextInt(20))));
            } else {
                segs.add(Segment.chunk(corpus[rnd.nextInt(corpus.length)]));
            }
        }
        return new Request(segs, rnd.nextInt(30));
    }

    /** What every plan must satisfy, whatever the policy and cache state. */
    private static void checkPlan(CacheManager m, Plan p) {
        int[] table = p.blockTable();
        // Every token of a block this plan fills is computed or loaded, exactly once; no other token is.
        byte[] how = new byte[p.promptLength()];
        for (int k = 0; k < 2; k++) {
            int prev = 0;
            for (TokenRange r : k == 0 ? p.computeRanges() : p.loadRanges()) {
                assertTrue(r.start() >= prev && r.end() <= p.promptLength() && r.length() > 0, "ranges sorted, in bounds: " + r);
                prev = r.end();
                for (int t = r.start(); t < r.end(); t++) {
                    assertEquals(0, how[t], "token " + t + " both computed and loaded");
                    how[t] = (byte) (k + 1);
                }
            }
        }
        List<Segment> segs = p.request().segments();
        for (int t = 0; t < how.length; t++) {
            BlockSource src = p.source(t / BS);
            boolean fills = src == BlockSource.PRIVATE || src == BlockSource.CHUNK_LOADED;
            assertEquals(fills, how[t] != 0, "token " + t + " of a " + src + " block");
            if (src == BlockSource.CHUNK_LOADED) {
                assertEquals(2, how[t], "a canonical block being loaded is loaded whole");
            }
        }
        for (TokenRange r : p.loadRanges()) {
            for (int t = r.start(); t < r.end(); t++) {
                assertTrue(segs.get(segmentAt(p, t)).isChunk(), "only chunk tokens are loaded: " + t + " in " + r);
            }
        }
        assertEquals(p.promptLength() - countZero(how), p.computedTokens() + p.loadedTokens());
        Map<ChunkId, int[]> seen = new HashMap<>();
        for (int s = 0; s < segs.size(); s++) {
            if (!segs.get(s).isChunk()) {
                continue;
            }
            int first = p.segmentStart(s) / BS;
            assertEquals(0, p.segmentStart(s) % BS);
            assertNotEquals(BlockSource.CHUNK_SHARED, p.source(first), "the first block of a chunk is never shared");
            assertNotEquals(BlockSource.CHUNK_LOADED, p.source(first), "nor loaded into a canonical block");
            int n = (p.segmentPadding(s) + segs.get(s).length()) / BS;
            int[] rest = java.util.Arrays.copyOfRange(table, first + 1, first + n);
            if (n > 1 && p.source(first + 1) == BlockSource.CHUNK_LOADED) {
                for (int j = 1; j < n; j++) {
                    BlockSource src = p.source(first + j);
                    assertTrue(src == BlockSource.CHUNK_LOADED, "a loaded chunk supplies all of blocks 2..n");
                }
            }
            if (n > 1 && (p.source(first + 1) == BlockSource.CHUNK_SHARED || p.source(first + 1) == BlockSource.CHUNK_LOADED)) {
                int[] other = seen.putIfAbsent(p.chunkId(s), rest);
                if (other != null) {
                    assertArrayEquals(other, rest, "one chunk, one set of canonical blocks");
                }
            }
        }
        for (int j = 0; j < p.numBlocks(); j++) {
            assertTrue(table[j] >= 0 && table[j] < CAPACITY);
            if (p.source(j) == BlockSource.PRIVATE) {
                assertEquals(1, m.pool().refCount(table[j]), "a private block has one holder");
            }
            if (m.policy() == Policy.NONE) {
                assertEquals(BlockSource.PRIVATE, p.source(j));
            }
            if (m.policy() != Policy.MEPIC) {
                assertNotEquals(BlockSource.CHUNK_LOADED, p.source(j));
            }
        }
        if (m.policy() == Policy.NONE) {
            assertEquals(p.promptLength(), p.computedTokens());
        }
    }

    private static int segmentAt(Plan p, int token) {
        int s = 0;
        while (s + 1 < p.request().segments().size() && p.segmentStart(s + 1) <= token) {
            s++;
        }
        return s;
    }

    private static int countZero(byte[] a) {
        int n = 0;
        for (byte b : a) {
            n += b == 0 ? 1 : 0;
        }
        return n;
    }

    private static void checkNoBlockHeldTwicePrivately(List<Plan> running) {
        Set<Integer> privates = new HashSet<>();
        for (Plan p : running) {
            int[] t = p.blockTable();
            for (int j = 0; j < t.length; j++) {
                if (p.source(j) == BlockSource.PRIVATE) {
                    assertTrue(privates.add(t[j]), "block " + t[j] + " is private to two plans");
                }
            }
        }
    }
}
