package dev.npukit.mepic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Several threads plan, publish, grow and release thousands of requests on one manager. */
class ConcurrencyStressTest {
    private static final int THREADS = 4;
    private static final int REQUESTS_PER_THREAD = 1500;
    private static final int CAPACITY = 600;

    @ParameterizedTest(name = "warm store {0}")
    @ValueSource(booleans = {true, false})
    void invariantsHoldAfterConcurrentPlanningAndRelease(boolean warm) throws Exception {
        CacheManager m = new CacheManager(Policy.MEPIC, CAPACITY, 16, 0, warm ? ChunkStore.warm() : ChunkStore.cold());
        int[][] corpus = new int[30][];
        for (int i = 0; i < corpus.length; i++) {
            corpus[i] = Tokens.random(500 + i, 20 + 7 * i);
        }
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger shared = new AtomicInteger();
        AtomicInteger loaded = new AtomicInteger();
        AtomicInteger lost = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long seed = t;
            futures.add(pool.submit(() -> {
                Random rnd = new Random(seed);
                List<Plan> mine = new ArrayList<>();
                for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                    Request r = new Request(List.of(Segment.prompt(Tokens.random(seed * 1_000_000 + i, 1 + rnd.nextInt(30))),
                            Segment.chunk(corpus[rnd.nextInt(corpus.length)]),
                            Segment.chunk(corpus[rnd.nextInt(corpus.length)]),
                            Segment.prompt(Tokens.random(seed * 1_000_000 + i + 500_000, 1 + rnd.nextInt(10)))), rnd.nextInt(40));
                    if (m.admit(r) instanceof Admission.Admitted ok) {
                        Plan p = ok.plan();
                        admitted.incrementAndGet();
                        for (int j = 0; j < p.numBlocks(); j++) {
                            if (p.source(j) == BlockSource.CHUNK_SHARED) {
                                shared.incrementAndGet();
                            }
                        }
                        loaded.addAndGet(p.loadedTokens());
                        if (rnd.nextInt(8) == 0) {
                            // Abandon it before its loads end: plans sharing its blocks see them lost.
                            m.release(p);
                            continue;
                        }
                        if (m.sharedKvState(p) == SharedKvState.LOST) {
                            lost.incrementAndGet();
                        }
                        m.markLoaded(p);
                        m.publish(p);
                        m.grow(p, rnd.nextInt(40));
                        mine.add(p);
                    }
                    // Keep up to three requests of this thread running at once, ending one at random.
                    if (mine.size() > 2 || (!mine.isEmpty() && rnd.nextBoolean())) {
                        m.release(mine.remove(rnd.nextInt(mine.size())));
                    }
                }
                mine.forEach(m::release);
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        m.checkInvariants();
        assertEquals(0, m.stats().inUseBlocks());
        assertEquals(0, m.stats().runningPlans());
        assertTrue(admitted.get() > THREADS * REQUESTS_PER_THREAD / 2, "most requests ran: " + admitted.get());
        assertTrue(shared.get() > 0, "chunks were shared across threads");
        assertTrue(!warm || loaded.get() > 0, "warm: chunks were loaded");
        m.clearCaches();
        m.checkInvariants();
        assertEquals(CAPACITY, m.pool().freeBlocks());
    }
}
