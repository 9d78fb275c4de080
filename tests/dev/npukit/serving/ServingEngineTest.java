package dev.npukit.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.Backends;
import dev.npukit.check.KernelCheck;
import dev.npukit.kernels.KvLayout;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.LlamaWeights;
import dev.npukit.tensor.DType;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MEPIC through the model. With one layer, the K/V of the first layer depend on the token alone
 * (keys are stored without rotation), so reusing a chunk's blocks at another position changes
 * nothing: every request's logits equal full recomputation (policy NONE) within the docs/kernels.md, equality between backends
 * F32 bound, and the greedy tokens are the same. With several layers reuse is approximate; the
 * deviation of each policy is measured and reported next to its blocks, and only what must hold
 * is asserted (prefix caching is exact; sharing saves blocks and compute).
 */
class ServingEngineTest {
    private static final int BLOCK = 8;

    private static Map<Policy, ServingEngine.Result> serveAll(LlamaWeights w, List<Request> requests) {
        return serveAll(w, requests, 512);
    }

    private static Map<Policy, ServingEngine.Result> serveAll(LlamaWeights w, List<Request> requests, int blocks) {
        return serveAll(w, requests, blocks, false);
    }

    private static Map<Policy, ServingEngine.Result> serveAll(LlamaWeights w, List<Request> requests, int blocks,
            boolean precompute) {
        Map<Policy, ServingEngine.Result> out = new EnumMap<>(Policy.class);
        try (LlamaModel m = new LlamaModel(Backends.get("cpu"), w, List.of())) {
            for (Policy p : Policy.values()) {
                try (ServingEngine e = new ServingEngine(m, p, blocks, BLOCK, 4)) {
                    if (precompute) {
                        e.precomputeChunks(requests.stream().flatMap(r -> r.segments().stream())
                                .filter(Segment::isChunk).map(Segment::tokens).toList());
                    }
                    out.put(p, e.serve(requests, null));
                    e.manager().checkInvariants();
                }
            }
        }
        return out;
    }

    private static List<Request> workload() {
        return RagWorkload.generate(LlamaConfig.tiny(1).vocabSize(), 6, 28, 14, 3, 5, 4, 42);
    }

    @Test
    void oneLayerMepicEqualsFullRecomputation() {
        List<Request> requests = workload();
        Map<Policy, ServingEngine.Result> r = serveAll(LlamaWeights.random(LlamaConfig.tiny(1), 8, DType.F32), requests);
        ServingEngine.Result full = r.get(Policy.NONE);
        for (Policy p : new Policy[] {Policy.MEPIC, Policy.PREFIX}) {
            ServingEngine.Result res = r.get(p);
            for (int i = 0; i < requests.size(); i++) {
                double err = KernelCheck.relativeError(res.requests().get(i).firstLogits(),
                        full.requests().get(i).firstLogits(), DType.F32);
                assertTrue(err <= 1e-5, p + " request " + i + ": relative error " + err);
                assertArrayEquals(full.requests().get(i).tokens(), res.requests().get(i).tokens(), p + " request " + i);
            }
        }
        assertTrue(r.get(Policy.MEPIC).computedTokens() < full.computedTokens(), "MEPIC reused chunks");
    }

    /**
     * A pool too small to keep every chunk resident: chunks are evicted and come back through the
     * plan's load ranges (private copies for EPIC and CacheBlend, canonical blocks for MEPIC). With
     * one layer the stored K/V is context-free, so every policy still equals full recomputation.
     */
    @Test
    void oneLayerLoadedChunksEqualFullRecomputation() {
        List<Request> requests = workload();
        Map<Policy, ServingEngine.Result> r = serveAll(LlamaWeights.random(LlamaConfig.tiny(1), 8, DType.F32), requests,
                32);
        ServingEngine.Result full = r.get(Policy.NONE);
        for (Policy p : new Policy[] {Policy.MEPIC, Policy.EPIC, Policy.CACHEBLEND}) {
            ServingEngine.Result res = r.get(p);
            assertTrue(res.loadedTokens() > 0, p + " loaded no chunk, so this test checks nothing");
            for (int i = 0; i < requests.size(); i++) {
                double err = KernelCheck.relativeError(res.requests().get(i).firstLogits(),
                        full.requests().get(i).firstLogits(), DType.F32);
                assertTrue(err <= 1e-5, p + " request " + i + ": relative error " + err);
            }
        }
    }

    /**
     * Chunks computed alone beforehand (an offline store) are loaded from the first request on; with
     * one layer their K/V is context-free, so every policy still equals full recomputation, while
     * MEPIC computes no more than EPIC and holds fewer blocks.
     */
    @Test
    void oneLayerPrecomputedChunksEqualFullRecomputation() {
        List<Request> requests = workload();
        Map<Policy, ServingEngine.Result> r = serveAll(LlamaWeights.random(LlamaConfig.tiny(1), 8, DType.F32), requests,
                512, true);
        ServingEngine.Result full = r.get(Policy.NONE);
        for (Policy p : new Policy[] {Policy.MEPIC, Policy.EPIC, Policy.CACHEBLEND}) {
            ServingEngine.Result res = r.get(p);
            assertTrue(res.loadedTokens() > 0, p + " loaded nothing from the precomputed store");
            for (int i = 0; i < requests.size(); i++) {
                double err = KernelCheck.relativeError(res.requests().get(i).firstLogits(),
                        full.requests().get(i).firstLogits(), DType.F32);
                assertTrue(err <= 1e-5, p + " request " + i + ": relative error " + err);
            }
        }
        assertTrue(r.get(Policy.MEPIC).computedTokens() <= r.get(Policy.EPIC).computedTokens());
        assertTrue(r.get(Policy.MEPIC).meanBlocks() < r.get(Policy.EPIC).meanBlocks());
    }

    /**
     * The MEPIC path over a cache in either layout: chunks precomputed into the store and, with a
     * pool too small to keep them, loaded back block by block; both layouts give the same logits
     * and tokens, bit for bit.
     */
    @Test
    void mepicServesTheSameInEitherLayout() {
        List<Request> requests = workload();
        LlamaWeights w = LlamaWeights.random(LlamaConfig.tiny(2), 8, DType.F32);
        Map<KvLayout, ServingEngine.Result> results = new EnumMap<>(KvLayout.class);
        try (LlamaModel m = new LlamaModel(Backends.get("cpu"), w, List.of())) {
            for (KvLayout layout : KvLayout.values()) {
                try (ServingEngine e = new ServingEngine(m, Policy.MEPIC, 32, BLOCK, 4, layout)) {
                    e.precomputeChunks(requests.stream().flatMap(r -> r.segments().stream())
                            .filter(Segment::isChunk).map(Segment::tokens).toList());
                    results.put(layout, e.serve(requests, null));
                    e.manager().checkInvariants();
                }
            }
        }
        ServingEngine.Result nhd = results.get(KvLayout.NHD);
        ServingEngine.Result hnd = results.get(KvLayout.HND);
        assertTrue(hnd.loadedTokens() > 0, "no chunk was loaded, so the store path is not exercised");
        assertEquals(nhd.loadedTokens(), hnd.loadedTokens());
        for (int i = 0; i < requests.size(); i++) {
            assertArrayEquals(nhd.requests().get(i).firstLogits(), hnd.requests().get(i).firstLogits(), "request " + i);
            assertArrayEquals(nhd.requests().get(i).tokens(), hnd.requests().get(i).tokens(), "request " + i);
        }
    }

    @Test
    void multiLayerDeviationIsMeasuredPerPolicy() {
        List<Request> requests = workload();
        Map<Policy, ServingEngine.Result> r = serveAll(LlamaWeights.random(LlamaConfig.tiny(3), 8, DType.F32), requests);
        ServingEngine.Result full = r.get(Policy.NONE);
        System.out.println("[mepic through a 3-layer model] policy, mean KL vs full recomputation, peak / mean blocks in use, tokens computed");
        Map<Policy, Double> kl = new EnumMap<>(Policy.class);
        for (Policy p : Policy.values()) {
            ServingEngine.Result res = r.get(p);
            double sum = 0;
            for (int i = 0; i < requests.size(); i++) {
                sum += ServingEngine.klDivergence(full.requests().get(i).firstLogits(), res.requests().get(i).firstLogits());
            }
            kl.put(p, sum / requests.size());
            System.out.printf("  %-10s %.3e  %4d %7.1f  %6d%n", p, kl.get(p), res.peakBlocks(), res.meanBlocks(),
                    res.computedTokens());
            assertTrue(Double.isFinite(kl.get(p)) && kl.get(p) >= 0, p + " KL " + kl.get(p));
            assertEquals(requests.size(), res.requests().size());
        }
        assertTrue(kl.get(Policy.PREFIX) < 1e-8, "prefix caching reuses only identical prefixes: exact");
        assertTrue(kl.get(Policy.MEPIC) > 1e-8, "with several layers, chunk reuse is approximate");
        assertTrue(r.get(Policy.MEPIC).meanBlocks() < r.get(Policy.CACHEBLEND).meanBlocks(),
                "MEPIC shares chunk blocks that CacheBlend copies per request");
        assertTrue(r.get(Policy.MEPIC).computedTokens() < full.computedTokens());
        assertTrue(r.get(Policy.EPIC).computedTokens() < r.get(Policy.PREFIX).computedTokens());
    }
}
