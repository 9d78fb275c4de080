package dev.npukit.serving;

import dev.npukit.mepic.Admission;
import dev.npukit.mepic.CacheManager;
import dev.npukit.mepic.ChunkId;
import dev.npukit.mepic.ChunkStore;
import dev.npukit.mepic.Plan;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.Request;
import dev.npukit.mepic.TokenRange;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.PagedKvCache;
import dev.npukit.serving.store.ChunkKv;
import dev.npukit.serving.store.ModelFingerprint;
import dev.npukit.serving.store.StoreChunkView;
import dev.npukit.serving.store.TieredChunkStore;
import dev.npukit.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Serves requests (chunks and prompts) with the model under one {@link Policy}: a
 * {@link CacheManager} plans each request onto the blocks of a {@link PagedKvCache}, the prefill
 * computes only the plan's compute ranges (their K/V written into the planned blocks; shared and
 * prefix-hit blocks already hold theirs), and greedy decode continues on the paged cache, all
 * running requests batched in one forward per step (continuous batching, FIFO admission).
 *
 * <p>Reused chunk K/V also lives outside the pool, as LMCache would keep it: after a chunk is first
 * computed its blocks are copied to a {@link TieredChunkStore} (host memory, a local disk or Redis,
 * shared by every engine pointed at the same directory or Redis), and the plan's load ranges copy them back
 * (private copies under EPIC and CacheBlend, whose recomputed tokens then overwrite their share;
 * canonical blocks under MEPIC when an evicted chunk returns). Not thread-safe.
 */
public final class ServingEngine implements AutoCloseable {
    private final LlamaModel model;
    private final CacheManager manager;
    private final PagedKvCache cache;
    private final int maxBatch;
    /**
     * The chunk KV store (LMCache's role): per chunk, its padded blocks' keys and values for every layer, as computed
     * the first time the chunk was prefilled. The cache manager sees it through {@link #view}, so it plans loads
     * exactly for the chunks the store holds; the view holds each entry it found until the admission round's
     * prefills have loaded it.
     */
    private final TieredChunkStore store;
    private final StoreChunkView view;

    /** Outcome of one request. */
    public record Served(float[] firstLogits, int[] tokens, int computedTokens) {
    }

    /**
     * Outcome of a run: per request (in input order) the logits after the prompt and the greedy
     * tokens; tokens computed (prefill ranges plus decode steps); blocks in use after each engine
     * step; wall time.
     */
    public record Result(Policy policy, List<Served> requests, long computedTokens, long loadedTokens,
            long promptTokens, long generatedTokens, int[] blocksInUse, int peakBlocks, double seconds, int rejected) {

        public double tokensPerSecond() {
            return (promptTokens + generatedTokens) / Math.max(seconds, 1e-9);
        }

        public double meanBlocks() {
            double s = 0;
            for (int b : blocksInUse) {
                s += b;
            }
            return blocksInUse.length == 0 ? 0 : s / blocksInUse.length;
        }
    }

    private final class Live {
        final int index;
        final Plan plan;
        final int maxNew;
        final List<Integer> generated = new ArrayList<>();
        float[] firstLogits;

        Live(int index, Plan plan) {
            this.index = index;
            this.plan = plan;
            this.maxNew = plan.request().maxNewTokens();
        }
    }

    /** Counters of the engine's chunk store, as the demo reports them. */
    public record ChunkStoreStats(String kind, long chunksComputed, long chunksLoaded, long bytesLoaded,
            double loadSeconds) {
    }

    /** An engine with a chunk store of its own in host memory (nothing outlives it). */
    public ServingEngine(LlamaModel model, Policy policy, int numBlocks, int blockSize, int maxBatch) {
        this(model, policy, numBlocks, blockSize, maxBatch, openMemoryStore(), PRIVATE_WEIGHTS);
    }

    /**
     * An engine whose chunk store is {@code chunkStoreSpec} ({@code memory}, {@code disk:DIR} or a Redis URI, see
     * {@link TieredChunkStore#open}), its entries keyed by the model's config and {@code weightsIdentity} (see
     * {@link ModelFingerprint#of}): engines, processes and hosts that share a disk directory or a Redis load each
     * other's chunks. The engine closes the store. IOException when DIR cannot be opened.
     */
    public ServingEngine(LlamaModel model, Policy policy, int numBlocks, int blockSize, int maxBatch,
            String chunkStoreSpec, String weightsIdentity) throws IOException {
        this(model, policy, numBlocks, blockSize, maxBatch, openChecked(model, weightsIdentity, chunkStoreSpec),
                weightsIdentity);
    }

    private ServingEngine(LlamaModel model, Policy policy, int numBlocks, int blockSize, int maxBatch,
            TieredChunkStore store, String weightsIdentity) {
        boolean built = false;
        try {
            Check.arg(model != null, "model", "is null");
            Check.arg(maxBatch > 0, "maxBatch", "is %d, must be positive", maxBatch);
            LlamaConfig cfg = model.config();
            this.model = model;
            this.store = store;
            this.view = new StoreChunkView(store, ModelFingerprint.of(cfg, weightsIdentity), CACHE_DTYPE, blockSize, 0,
                    cfg.numLayers());
            this.manager = new CacheManager(policy, numBlocks, blockSize, CacheManager.DEFAULT_PAD_TOKEN, view);
            this.cache = model.newCache(numBlocks, blockSize, CACHE_DTYPE);
            this.maxBatch = maxBatch;
            built = true;
        } finally {
            if (!built) {
                store.close();
            }
        }
    }

    /**
     * Weights identity of an engine-private memory store: no other engine reads that store, so the weights need no
     * name.
     */
    private static final String PRIVATE_WEIGHTS = "engine-private";
    /** The pool's K/V element type; the chunk store keeps the same, so a load is an exact copy. */
    private static final DType CACHE_DTYPE = DType.F32;

    private static TieredChunkStore openMemoryStore() {
        try {
            return TieredChunkStore.open("memory");
        } catch (IOException e) {
            throw new UncheckedIOException("a memory chunk store opens no file", e);
        }
    }

    /** Checks the arguments the store's key needs before opening it, so a bad one leaves no connection behind. */
    private static TieredChunkStore openChecked(LlamaModel model, String weightsIdentity, String spec)
            throws IOException {
        Check.arg(model != null, "model", "is null");
        Check.arg(weightsIdentity != null && !weightsIdentity.isEmpty(), "weightsIdentity", "is null or empty");
        return TieredChunkStore.open(spec);
    }

    /** Chunks computed and stored, and chunks loaded from the store, since the engine was built. */
    public ChunkStoreStats chunkStoreStats() {
        return new ChunkStoreStats(store.kind(), view.chunksStored(), view.chunksFetched(), view.bytesFetched(),
                view.fetchSeconds());
    }

    public CacheManager manager() {
        return manager;
    }

    /**
     * Serves every request to its {@code maxNewTokens} (at least 1) greedy tokens;
     * {@code progress} gets the number of finished requests.
     */
    public Result serve(List<Request> requests, IntConsumer progress) {
        Check.arg(requests != null && !requests.isEmpty(), "requests", "needs at least one request");
        for (int i = 0; i < requests.size(); i++) {
            Check.arg(requests.get(i) != null && requests.get(i).maxNewTokens() >= 1, "requests",
                    "entry %d is null or asks for no new tokens (maxNewTokens must be >= 1)", i);
        }
        long t0 = System.nanoTime();
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int i = 0; i < requests.size(); i++) {
            queue.add(i);
        }
        Served[] served = new Served[requests.size()];
        List<Live> running = new ArrayList<>();
        List<Integer> samples = new ArrayList<>();
        long computed = 0;
        long loaded = 0;
        long promptTokens = 0;
        long generated = 0;
        int rejected = 0;
        int done = 0;
        try {
            while (!queue.isEmpty() || !running.isEmpty()) {
                List<Live> admitted = new ArrayList<>();
                while (!queue.isEmpty() && running.size() + admitted.size() < maxBatch) {
                    Admission a = manager.admit(requests.get(queue.peek()));
                    if (a instanceof Admission.Admitted ad) {
                        admitted.add(new Live(queue.poll(), ad.plan()));
                    } else if (a instanceof Admission.Rejected) {
                        queue.poll();
                        rejected++;
                        done++;
                    } else {
                        if (running.isEmpty() && admitted.isEmpty()) {
                            throw new IllegalStateException("request " + queue.peek() + " cannot be admitted into an idle pool: " + a);
                        }
                        break;
                    }
                }
                for (Live l : admitted) {
                    computed += prefill(l);
                    loaded += l.plan.loadedTokens();
                    for (dev.npukit.mepic.Segment s : l.plan.request().segments()) {
                        promptTokens += s.length();
                    }
                    running.add(l);
                }
                // Every load of this round is done: the entries the view found for it need not stay in memory.
                view.releaseAll();
                samples.add(manager.stats().inUseBlocks());
                // One decode step for every running request that still owes tokens.
                List<Live> stepping = new ArrayList<>();
                for (Live l : running) {
                    if (l.generated.size() < l.maxNew) {
                        stepping.add(l);
                    }
                }
                if (!stepping.isEmpty()) {
                    decode(stepping);
                    computed += stepping.size();
                }
                for (java.util.Iterator<Live> it = running.iterator(); it.hasNext();) {
                    Live l = it.next();
                    if (l.generated.size() >= l.maxNew) {
                        served[l.index] = new Served(l.firstLogits, l.generated.stream().mapToInt(Integer::intValue).toArray(),
                                l.plan.computedTokens());
                        generated += l.generated.size();
                        manager.release(l.plan);
                        it.remove();
                        done++;
                        if (progress != null) {
                            progress.accept(done);
                        }
                    }
                }
                samples.add(manager.stats().inUseBlocks());
            }
        } finally {
            view.releaseAll();
            for (Live l : running) {
                manager.release(l.plan);
            }
        }
        int[] blocks = samples.stream().mapToInt(Integer::intValue).toArray();
        int peak = 0;
        for (int b : blocks) {
            peak = Math.max(peak, b);
        }
        List<Served> out = new ArrayList<>();
        for (Served s : served) {
            out.add(s);
        }
        return new Result(manager.policy(), out, computed, loaded, promptTokens, generated, blocks, peak,
                (System.nanoTime() - t0) / 1e9, rejected);
    }

    /** Runs the plan's compute ranges; returns the tokens computed. */
    private int prefill(Live l) {
        Plan plan = l.plan;
        int bs = plan.blockSize();
        int[] tokens = plan.paddedTokens();
        int[] table = plan.blockTable();
        int length = plan.promptLength();
        int numSegments = plan.request().segments().size();
        Policy policy = manager.policy();
        // Loads first: whole stored blocks for every block a load range touches (a chunk's blocks
        // hold only that chunk), then the compute ranges overwrite the tokens that are recomputed.
        for (TokenRange r : plan.loadRanges()) {
            for (int b = r.start() / bs; b <= (r.end() - 1) / bs; b++) {
                int s = segmentOf(plan, b * bs);
                ChunkKv kv = view.held(plan.chunkId(s));
                if (kv == null) {
                    throw new IllegalStateException("chunk " + plan.chunkId(s) + " was planned as a load but the"
                            + " chunk store view holds no entry for it");
                }
                for (int layer = 0; layer < cache.numLayers(); layer++) {
                    cache.writeBlock(layer, table[b], kv.block(b - plan.segmentStart(s) / bs, layer));
                }
            }
        }
        manager.markLoaded(plan);
        List<LlamaModel.Span> spans = new ArrayList<>();
        List<TokenRange> ranges = plan.computeRanges();
        for (int i = 0; i < ranges.size(); i++) {
            TokenRange r = ranges.get(i);
            boolean last = r.end() == length;
            spans.add(new LlamaModel.Span(table, r.start(), java.util.Arrays.copyOfRange(tokens, r.start(), r.end()), -1,
                    true, last));
        }
        if (ranges.isEmpty() || ranges.get(ranges.size() - 1).end() != length) {
            // The last prompt token's K/V is already cached (e.g. a prefix hit): compute only its logits.
            spans.add(new LlamaModel.Span(table, length - 1, new int[] {tokens[length - 1]}, -1, false, true));
        }
        try (Tensor logits = model.forward(cache, spans)) {
            l.firstLogits = logits.toFloatArray();
        }
        manager.publish(plan);
        if (policy.reusesChunks()) {
            for (int s = 0; s < numSegments; s++) {
                ChunkId id = plan.chunkId(s);
                if (id == null || view.stored(id)) {
                    continue;
                }
                int first = plan.segmentStart(s) / bs;
                int end = s + 1 < numSegments ? plan.segmentStart(s + 1) : length;
                float[][][][] blocks = new float[(end - plan.segmentStart(s)) / bs][cache.numLayers()][][];
                for (int j = 0; j < blocks.length; j++) {
                    for (int layer = 0; layer < cache.numLayers(); layer++) {
                        blocks[j][layer] = cache.readBlock(layer, table[first + j]);
                    }
                }
                storeChunk(id, blocks);
            }
        }
        l.generated.add(argmax(l.firstLogits));
        return plan.computedTokens();
    }

    /**
     * Fills the chunk store the way an offline LMCache pass over the corpus would, before serving:
     * each chunk's K/V computed on its own in its canonical padded layout (leading pad tokens to a
     * block multiple). Keys are stored without rotation and RoPE is relative, so this is the K/V the
     * chunk has at any offset, except for the attention to preceding context it never saw: the
     * approximation EPIC, CacheBlend and MEPIC make and the deviation report measures. Does nothing
     * for policies that do not reuse chunks.
     */
    public void precomputeChunks(Collection<int[]> chunks) {
        Check.arg(chunks != null, "chunks", "is null");
        Policy policy = manager.policy();
        if (!policy.reusesChunks()) {
            return;
        }
        int bs = cache.blockSize();
        for (int[] chunk : chunks) {
            Check.arg(chunk != null && chunk.length > 0, "chunks", "has a null or empty chunk");
            int pads = (bs - chunk.length % bs) % bs;
            int[] padded = new int[pads + chunk.length];
            java.util.Arrays.fill(padded, 0, pads, CacheManager.DEFAULT_PAD_TOKEN);
            System.arraycopy(chunk, 0, padded, pads, chunk.length);
            ChunkId id = ChunkId.ofPadded(padded);
            if (view.stored(id)) {
                continue;
            }
            int blocks = padded.length / bs;
            int[] table = new int[blocks];
            for (int b = 0; b < blocks; b++) {
                table[b] = b;
            }
            float[][][][] stored = new float[blocks][cache.numLayers()][][];
            try (PagedKvCache scratch = model.newCache(blocks, bs, CACHE_DTYPE);
                    Tensor ignored = model.forward(scratch, List.of(new LlamaModel.Span(table, 0, padded, -1, true, true)))) {
                for (int b = 0; b < blocks; b++) {
                    for (int layer = 0; layer < cache.numLayers(); layer++) {
                        stored[b][layer] = scratch.readBlock(layer, b);
                    }
                }
            }
            storeChunk(id, stored);
        }
    }

    /** Stores a computed chunk's blocks, [block][layer][K, V][floats]. */
    private void storeChunk(ChunkId id, float[][][][] blocks) {
        LlamaConfig cfg = model.config();
        view.store(id, cfg.numKvHeads(), cfg.headDim(), blocks);
    }

    /** The segment of the plan's padded prompt that holds token {@code t}. */
    private static int segmentOf(Plan plan, int t) {
        int s = plan.request().segments().size() - 1;
        while (plan.segmentStart(s) > t) {
            s--;
        }
        return s;
    }

    private void decode(List<Live> stepping) {
        List<LlamaModel.Span> spans = new ArrayList<>();
        for (Live l : stepping) {
            if (!manager.grow(l.plan, 1)) {
                throw new IllegalStateException("decode growth failed although the plan reserved its blocks");
            }
            int pos = l.plan.length() - 1;
            spans.add(new LlamaModel.Span(l.plan.blockTable(), pos, new int[] {l.generated.get(l.generated.size() - 1)},
                    -1, true, true));
        }
        int vocab = model.config().vocabSize();
        try (Tensor logits = model.forward(cache, spans)) {
            float[] all = logits.toFloatArray();
            for (int i = 0; i < stepping.size(); i++) {
                stepping.get(i).generated.add(argmax(java.util.Arrays.copyOfRange(all, i * vocab, (i + 1) * vocab)));
            }
        }
    }

    /** Index of the largest logit, the lowest on ties. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** KL(P || Q) of the softmax distributions of two logit vectors, in nats, computed in double. */
    public static double klDivergence(float[] p, float[] q) {
        double[] lp = logSoftmax(p);
        double[] lq = logSoftmax(q);
        double kl = 0;
        for (int i = 0; i < lp.length; i++) {
            kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
        }
        return Math.max(0, kl);
    }

    private static double[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - lse;
        }
        return out;
    }

    /** Closes the pool and the chunk store, whose queued remote writes are written first (up to 30 s). */
    @Override
    public void close() {
        try {
            cache.close();
        } finally {
            store.close();
        }
    }
}
