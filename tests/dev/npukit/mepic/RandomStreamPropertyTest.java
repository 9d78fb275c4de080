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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Random request streams through every policy, checking the invariants after every step. */
class RandomStreamPropertyTest {
    private static final int BS = 8;
    private static final int CAPACITY = 160;

    @ParameterizedTest
    @EnumSource(Policy.class)
    void invariantsHoldAfterEveryStep(Policy policy) {
        for (long seed = 1; seed <= 6; seed++) {
            run(policy, seed);
        }
    }

    private static void run(Policy policy, long seed) {
        Random rnd = new Random(seed);
        int[][] corpus = new int[12][];
        for (int i = 0; i < corpus.length; i++) {
            corpus[i] = Tokens.random(seed * 1000 + i, 1 + rnd.nextInt(40));
        }
        CacheManager m = new CacheManager(policy, CAPACITY, BS);
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
                    m.publish(p);
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
        }
        for (Plan p : running) {
            m.release(p);
        }
        m.clearCaches();
        m.checkInvariants();
        assertEquals(CAPACITY, m.pool().freeBlocks(), policy + " seed " + seed + ": the pool is whole again");
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
        int prev = 0;
        for (TokenRange r : p.computeRanges()) {
            assertTrue(r.start() >= prev && r.end() <= p.promptLength() && r.length() > 0, "ranges sorted, in bounds: " + r);
            prev = r.end();
        }
        assertTrue(p.computedTokens() <= p.promptLength());
        List<Segment> segs = p.request().segments();
        Map<ChunkId, int[]> seen = new HashMap<>();
        for (int s = 0; s < segs.size(); s++) {
            if (!segs.get(s).isChunk()) {
                continue;
            }
            int first = p.segmentStart(s) / BS;
            assertEquals(0, p.segmentStart(s) % BS);
            assertNotEquals(BlockSource.CHUNK_SHARED, p.source(first), "the first block of a chunk is never shared");
            int n = (p.segmentPadding(s) + segs.get(s).length()) / BS;
            int[] rest = java.util.Arrays.copyOfRange(table, first + 1, first + n);
            if (n > 1 && p.source(first + 1) == BlockSource.CHUNK_SHARED) {
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
        }
        if (m.policy() == Policy.NONE) {
            assertEquals(p.promptLength(), p.computedTokens());
        }
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
