package dev.npukit.mepic.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplayTest {
    private static final ReplayConfig CONFIG = new ReplayConfig(20000, 16, 15, 100e-6, 25e-3, 3);

    @Test
    void everyPolicyCompletesTheSameStreamAndMepicHoldsLeast() {
        List<ReplayRequest> stream = LongPromptWorkload.generate(8, 50, 256, 60, 32, 1.0, 7);
        Replay replay = new Replay(CONFIG, stream);
        Map<Policy, ReplayResult> r = new EnumMap<>(Policy.class);
        for (Policy p : Policy.values()) {
            r.put(p, replay.run(p, done -> { }));
            assertEquals(60, r.get(p).completed(), p.name());
            assertEquals(0, r.get(p).rejected());
            assertTrue(r.get(p).peakBlocks() > 0 && r.get(p).meanBlocks() <= r.get(p).peakBlocks());
        }
        assertEquals(r.get(Policy.NONE).promptTokens(), r.get(Policy.NONE).computedTokens(), "NONE computes everything");
        assertTrue(r.get(Policy.MEPIC).peakBlocks() < r.get(Policy.EPIC).peakBlocks());
        assertTrue(r.get(Policy.MEPIC).peakBlocks() < r.get(Policy.CACHEBLEND).peakBlocks());
        assertTrue(r.get(Policy.EPIC).computedTokens() < r.get(Policy.CACHEBLEND).computedTokens());
        ReplayResult again = replay.run(Policy.MEPIC, done -> { });
        assertEquals(r.get(Policy.MEPIC).peakBlocks(), again.peakBlocks(), "deterministic");
        assertArrayEquals(r.get(Policy.MEPIC).latencies(), again.latencies());
    }

    @Test
    void aSmallBudgetQueuesAndRejectsButNeverOverflows() {
        List<ReplayRequest> stream = new java.util.ArrayList<>(LongPromptWorkload.generate(4, 20, 256, 40, 32, 1.0, 9));
        stream.add(new ReplayRequest(Double.NaN, new Request(List.of(Segment.prompt(new int[3000])), 0))); // 188 blocks
        Replay replay = new Replay(new ReplayConfig(150, 16, 15, 100e-6, 25e-3, 3), stream);
        ReplayResult r = replay.run(Policy.EPIC, done -> { });
        assertEquals(1, r.rejected());
        assertEquals(40, r.completed());
        assertTrue(r.queued() > 0, "the budget holds about two requests, so some wait");
        assertTrue(r.peakBlocks() <= 150 && r.peakResidentBlocks() <= 150);
    }

    @Test
    void givenArrivalsAreKeptAndLatencyIsPrefillPlusDecode() {
        Request one = new Request(List.of(Segment.prompt(new int[] {5, 6, 7})), 10);
        Replay replay = new Replay(CONFIG, List.of(new ReplayRequest(2.0, one)));
        ReplayResult r = replay.run(Policy.NONE, done -> { });
        assertEquals(3 * 100e-6 + 10 * 25e-3, r.latencies()[0], 1e-9);
        assertEquals(2.0, r.timesS()[0]);
        assertEquals(1, r.peakBlocks());
    }

    @Test
    void theSameStoreStateForEveryPolicyAndColdComputesWhatWarmLoads() {
        List<ReplayRequest> stream = LongPromptWorkload.generate(8, 50, 256, 60, 32, 1.0, 7);
        Replay warm = new Replay(CONFIG, stream);
        Replay cold = new Replay(CONFIG.withStore(ReplayConfig.Store.COLD), stream);
        for (Policy p : List.of(Policy.EPIC, Policy.CACHEBLEND, Policy.MEPIC)) {
            ReplayResult w = warm.run(p, done -> { });
            ReplayResult c = cold.run(p, done -> { });
            assertTrue(c.computedTokens() > w.computedTokens(), p + ": a cold store computes each chunk's first use");
            assertEquals(w.promptTokens(), c.promptTokens());
            assertTrue(w.loadedTokens() > c.loadedTokens(), p.name());
        }
        for (Policy p : List.of(Policy.NONE, Policy.PREFIX)) {
            ReplayResult w = warm.run(p, done -> { });
            ReplayResult c = cold.run(p, done -> { });
            assertEquals(0, w.loadedTokens() + c.loadedTokens(), p + " has no chunk store");
            assertEquals(w.peakBlocks(), c.peakBlocks(), p + " does not depend on the store");
        }
        // Warm: MEPIC never computes a chunk beyond its first block.
        ReplayResult m = warm.run(Policy.MEPIC, done -> { });
        assertTrue(m.computedTokens() <= 60L * (8 * 16 + LongPromptWorkload.QUESTION_MAX), "" + m.computedTokens());
    }

    @Test
    void aRequestSharingAChunkBeingLoadedWaitsForTheLoad() {
        int[] doc = SyntheticTokens.of("doc", 512);
        Request a = new Request(List.of(Segment.chunk(doc), Segment.prompt(new int[] {1, 2, 3})), 1);
        Request b = new Request(List.of(Segment.chunk(doc), Segment.prompt(new int[] {4, 5, 6, 7})), 1);
        ReplayConfig config = new ReplayConfig(1000, 16, 15, 100e-6, 25e-3, 3, ReplayConfig.Store.WARM, 5e-6);
        Replay replay = new Replay(config, List.of(new ReplayRequest(0.0, a), new ReplayRequest(0.001, b)));
        ReplayResult r = replay.run(Policy.MEPIC, done -> { });
        double load = 496 * 5e-6; // blocks 2..32 of a's chunk
        assertEquals(load + (16 + 3) * 100e-6 + 25e-3, r.latencies()[0], 1e-9, "a: load, then compute block 1 and its question");
        assertEquals(load - 0.001 + (16 + 4) * 100e-6 + 25e-3, r.latencies()[1], 1e-9, "b waits for a's load, loads nothing");
        assertEquals(496, r.loadedTokens());
        assertEquals(33 + 2, r.peakBlocks(), "a: 32 chunk blocks and a question block; b: its own first block and question block");
    }

    @Test
    void aChunkLoadsFromTheFastestTierHoldingItAndIsCopiedIntoTheFasterOnes() {
        int[] doc = SyntheticTokens.of("doc", 512);
        int[] other = SyntheticTokens.of("other", 512);
        Request a = new Request(List.of(Segment.chunk(doc), Segment.prompt(new int[] {1, 2, 3})), 1);
        Request c = new Request(List.of(Segment.chunk(other), Segment.prompt(new int[] {7, 8, 9})), 1);
        Request b = new Request(List.of(Segment.chunk(doc), Segment.prompt(new int[] {4, 5, 6})), 1);
        // A pool of 40 blocks holds one request (32 chunk blocks and a question block): c evicts a's blocks from
        // HBM, so b loads doc again from the store.
        List<ReplayRequest> stream = List.of(new ReplayRequest(0.0, a), new ReplayRequest(10.0, c),
                new ReplayRequest(20.0, b));
        ReplayResult fits = runEpic(stream, 1100);
        ReplayResult tooSmall = runEpic(stream, 100);
        // a and c find their chunks only in the last tier; b finds the copy a's load left in memory, or, when the
        // chunk (512 tokens) is larger than the memory tier, in the disk tier.
        long[] f = fits.loadedTokensByTier();
        long[] t = tooSmall.loadedTokensByTier();
        assertTrue(f[0] > 0 && f[1] == 0 && f[2] > 0, java.util.Arrays.toString(f));
        assertArrayEquals(new long[] {0, f[0], f[2]}, t);
        assertEquals(fits.loadedTokens(), f[0] + f[2]);
        assertEquals(fits.latencies()[0], tooSmall.latencies()[0], 1e-12, "a loads from the last tier in both");
        assertEquals(f[0] * (10e-6 - 1e-6), tooSmall.latencies()[2] - fits.latencies()[2], 1e-9,
                "b's loads differ only by the tier they came from");
    }

    private static ReplayResult runEpic(List<ReplayRequest> stream, long memoryTokens) {
        StoreTiers tiers = new StoreTiers(List.of(new StoreTiers.Tier("memory", memoryTokens, 1e-6),
                new StoreTiers.Tier("disk", 1100, 10e-6), new StoreTiers.Tier("redis", Long.MAX_VALUE, 100e-6)));
        ReplayConfig config = new ReplayConfig(40, 16, 15, 100e-6, 25e-3, 3, ReplayConfig.Store.WARM, tiers);
        return new Replay(config, stream).run(Policy.EPIC, done -> { });
    }

    @Test
    void aComputedChunkIsWrittenToEveryTier() {
        List<ReplayRequest> stream = LongPromptWorkload.generate(4, 12, 256, 60, 8, 1.0, 11);
        StoreTiers tiers = new StoreTiers(List.of(new StoreTiers.Tier("memory", 1_000_000, 1e-6),
                new StoreTiers.Tier("redis", Long.MAX_VALUE, 100e-6)));
        ReplayConfig config = new ReplayConfig(20000, 16, 15, 100e-6, 25e-3, 3, ReplayConfig.Store.COLD, tiers);
        ReplayResult r = new Replay(config, stream).run(Policy.CACHEBLEND, done -> { });
        assertTrue(r.loadedTokens() > 0, "chunks repeat, so later requests load them");
        assertArrayEquals(new long[] {r.loadedTokens(), 0}, r.loadedTokensByTier(),
                "a cold store holds only what requests computed, and memory holds all of it");
    }

    @Test
    void tiersAreCheckedWithTheArgumentNamed() {
        StoreTiers.Tier memory = new StoreTiers.Tier("memory", 10, 1e-6);
        StoreTiers.Tier redis = new StoreTiers.Tier("redis", Long.MAX_VALUE, 1e-6);
        assertThrowsNamed("tiers", () -> new StoreTiers(List.of(memory)));
        assertThrowsNamed("tiers", () -> new StoreTiers(List.of(redis, memory)));
        assertThrowsNamed("tiers", () -> new StoreTiers(List.of(redis, redis)));
        assertThrowsNamed("capacityTokens", () -> new StoreTiers.Tier("disk", 0, 1e-6));
        assertThrowsNamed("loadSecondsPerToken", () -> new StoreTiers.Tier("disk", 5, Double.NaN));
        assertThrowsNamed("name", () -> StoreTiers.defaultSecondsPerToken("tape"));
    }

    private static void assertThrowsNamed(String argument, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
    }

    @Test
    void table1GeneratorsMatchThePapersShape() {
        for (Table1Workload.Dataset d : Table1Workload.Dataset.values()) {
            WorkloadStats s = WorkloadStats.of(Table1Workload.generate(d, 400, 64, 1.0, 5));
            assertEquals(d.reusePercent, s.reusePercent(), 5.0, d.name() + " reuse");
            assertEquals(d.meanPromptTokens, s.meanPromptTokens(), 0.2 * d.meanPromptTokens, d.name() + " prompt tokens");
        }
        WorkloadStats lp = WorkloadStats.of(LongPromptWorkload.generate(16, 200, 512, 100, 64, 1.0, 5));
        assertEquals(16 * 512, lp.meanPromptTokens(), 100);
    }
}
