package dev.npukit.model;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * A Llama-architecture decoder on the kernels: token embedding, per layer RMSNorm, q/k/v
 * projections (plus their biases for Qwen2), {@code writeKv} of unrotated keys into a
 * {@link PagedKvCache}, RoPE-fused paged attention (NEOX style, as Hugging Face Llama, with the
 * config's RoPE scaling in the cos/sin table), o projection, residual, RMSNorm, SwiGLU MLP,
 * residual; final RMSNorm and LM head. Grouped-query attention follows from the config.
 *
 * <p>The dense layers run on the backend ({@code matmul}); the LoRA adapters given at
 * construction are applied through BGMV shrink/expand, one adapter index per span, so rows with
 * different adapters (or none, -1) share one batch. Small element-wise steps (embedding lookup,
 * RMSNorm, SiLU·mul, residual adds) are plain Java over float arrays copied from the backend.
 *
 * <pre>{@code
 * try (LlamaModel model = new LlamaModel(Backends.best(), LlamaWeights.random(LlamaConfig.small(), 1, DType.F32), List.of());
 *      PagedKvCache cache = model.newCache(64, 16, DType.F32);
 *      Tensor logits = model.forward(cache, List.of(new LlamaModel.Span(new int[] {0, 1}, 0, prompt, -1, true, true)))) {
 *     float[] next = logits.toFloatArray();
 * }
 * }</pre>
 * Not thread-safe: one forward at a time.
 */
public final class LlamaModel implements AutoCloseable {

    /**
     * Tokens of one sequence computed in a forward pass: positions {@code start .. start+len-1},
     * attending causally to the sequence's cache slots 0..position through {@code blockTable}.
     *
     * @param blockTable the sequence's blocks, covering at least start + tokens.length slots
     * @param start position of the first token
     * @param tokens the tokens, at least one
     * @param adapter LoRA adapter index, or -1 for the base model
     * @param writeKv whether the tokens' K/V are written to their slots; false when those slots
     *     already hold them (a shared, read-only block) and only the logits are wanted
     * @param logits whether to return logits for the span's last token
     */
    public record Span(int[] blockTable, int start, int[] tokens, int adapter, boolean writeKv, boolean logits) {
    }

    /** LoRA weights of one projection of one layer, all adapters stacked; B carries each adapter's scale. */
    private record Lora(Tensor a, Tensor b, int rank) {
    }

    private final Backend backend;
    private final LlamaConfig config;
    private final float[] embed;
    private final float[][] inputNorm;
    private final float[][] postNorm;
    private final float[] finalNorm;
    private final Tensor[] wqkv;
    /** Per layer, the q, k and v biases concatenated (null without q/k/v biases); the o_proj bias likewise. */
    private final float[][] qkvBias;
    private final float[][] oBias;
    private final Tensor[] wo;
    private final Tensor[] wgateUp;
    private final Tensor[] wdown;
    private final Tensor lmHead;
    private final Tensor cosSin;
    private final Lora[][] lora;
    private final int numAdapters;
    private final List<Tensor> owned = new ArrayList<>();

    /**
     * Uploads the weights and adapters to the backend.
     *
     * @param backend where the model runs
     * @param weights the weights; linear layers keep their dtype on the backend
     * @param adapters LoRA adapters for the same config; a span's adapter index is the position in this list
     * @throws IllegalArgumentException if an argument is null
     */
    public LlamaModel(Backend backend, LlamaWeights weights, List<LoraAdapter> adapters) {
        Check.arg(backend != null, "backend", "is null");
        Check.arg(weights != null, "weights", "is null");
        Check.arg(adapters != null, "adapters", "is null");
        this.backend = backend;
        this.config = weights.config();
        LlamaConfig c = config;
        int n = c.numLayers();
        DType dt = weights.dtype();
        embed = weights.get("model.embed_tokens.weight");
        inputNorm = new float[n][];
        postNorm = new float[n][];
        wqkv = new Tensor[n];
        qkvBias = new float[n][];
        oBias = new float[n][];
        wo = new Tensor[n];
        wgateUp = new Tensor[n];
        wdown = new Tensor[n];
        lora = new Lora[n][LlamaWeights.PROJECTIONS.size()];
        numAdapters = adapters.size();
        try {
            for (int l = 0; l < n; l++) {
                String p = "model.layers." + l + ".";
                inputNorm[l] = weights.get(p + "input_layernorm.weight");
                postNorm[l] = weights.get(p + "post_attention_layernorm.weight");
                wqkv[l] = upload(dt, c.hiddenSize(), weights.get(p + "self_attn.q_proj.weight"),
                        weights.get(p + "self_attn.k_proj.weight"), weights.get(p + "self_attn.v_proj.weight"));
                if (c.qkvBias()) {
                    qkvBias[l] = concat(weights.get(p + "self_attn.q_proj.bias"), weights.get(p + "self_attn.k_proj.bias"),
                            weights.get(p + "self_attn.v_proj.bias"));
                }
                if (c.oBias()) {
                    oBias[l] = weights.get(p + "self_attn.o_proj.bias");
                }
                wo[l] = upload(dt, c.qSize(), weights.get(p + "self_attn.o_proj.weight"));
                wgateUp[l] = upload(dt, c.hiddenSize(), weights.get(p + "mlp.gate_proj.weight"),
                        weights.get(p + "mlp.up_proj.weight"));
                wdown[l] = upload(dt, c.intermediateSize(), weights.get(p + "mlp.down_proj.weight"));
                for (int j = 0; j < LlamaWeights.PROJECTIONS.size(); j++) {
                    lora[l][j] = stackLora(l, LlamaWeights.PROJECTIONS.get(j), adapters);
                }
            }
            finalNorm = weights.get("model.norm.weight");
            lmHead = upload(dt, c.hiddenSize(), c.tieWordEmbeddings() ? embed : weights.get("lm_head.weight"));
            cosSin = own(backend.fromFloats(DType.F32, c.ropeTable(), c.maxPositions(), c.headDim()));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The model's sizes.
     *
     * @return the config of the weights it was built from
     */
    public LlamaConfig config() {
        return config;
    }

    /**
     * The backend the model runs on.
     *
     * @return the backend given at construction
     */
    public Backend backend() {
        return backend;
    }

    /**
     * LoRA adapters uploaded.
     *
     * @return the size of the adapter list given at construction; valid span adapters are -1 .. this - 1
     */
    public int numAdapters() {
        return numAdapters;
    }

    /**
     * A paged KV cache for this model on its backend, in the backend's faster layout
     * ({@link PagedKvCache#defaultLayout}).
     *
     * @param numBlocks blocks per layer, positive
     * @param blockSize token slots per block, positive
     * @param dtype the cache's dtype: F32, F16 or BF16
     * @return the cache, zeroed; the caller closes it
     * @throws IllegalArgumentException if a size is not positive or dtype is not a float type
     */
    public PagedKvCache newCache(int numBlocks, int blockSize, DType dtype) {
        return newCache(numBlocks, blockSize, dtype, PagedKvCache.defaultLayout(backend));
    }

    /**
     * A paged KV cache for this model on its backend, in the given layout.
     *
     * @param numBlocks blocks per layer, positive
     * @param blockSize token slots per block, positive
     * @param dtype the cache's dtype: F32, F16 or BF16
     * @param layout the order of the cache tensors' dimensions
     * @return the cache, zeroed; the caller closes it
     * @throws IllegalArgumentException if a size is not positive, dtype is not a float type or layout is null
     */
    public PagedKvCache newCache(int numBlocks, int blockSize, DType dtype, KvLayout layout) {
        return new PagedKvCache(backend, config, numBlocks, blockSize, dtype, layout);
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /** Row-wise concatenation of [*, in] matrices, uploaded as one [sum, in] weight. */
    private Tensor upload(DType dt, int in, float[]... parts) {
        float[] all = concat(parts);
        return own(backend.fromFloats(dt, all, all.length / in, in));
    }

    private static float[] concat(float[]... parts) {
        if (parts.length == 1) {
            return parts[0];
        }
        int total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        float[] all = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** Adds a bias to every row of [rows, bias.length] (no-op for a null bias). */
    private static void addBias(float[] x, float[] bias) {
        if (bias == null) {
            return;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] += bias[i % bias.length];
        }
    }

    /**
     * All adapters' A and B of one projection, padded to the largest rank with zeros (which adds
     * nothing), B multiplied by each adapter's scale: modules of differing ranks (rank_pattern, or
     * adapters of different r) share one BGMV. Null when no adapter touches the projection.
     */
    private Lora stackLora(int layer, String projection, List<LoraAdapter> adapters) {
        int rank = 0;
        for (LoraAdapter a : adapters) {
            LoraAdapter.Pair p = a.pair(layer, projection);
            if (p != null) {
                rank = Math.max(rank, p.rank());
            }
        }
        if (rank == 0) {
            return null;
        }
        long[] shape = LlamaWeights.projectionShape(config, projection);
        int out = (int) shape[0];
        int in = (int) shape[1];
        int na = adapters.size();
        float[] a = new float[na * rank * in];
        float[] b = new float[na * out * rank];
        for (int i = 0; i < na; i++) {
            LoraAdapter ad = adapters.get(i);
            LoraAdapter.Pair p = ad.pair(layer, projection);
            if (p == null) {
                continue;
            }
            int r = p.rank();
            System.arraycopy(p.a(), 0, a, i * rank * in, r * in);
            float s = p.scale();
            for (int o = 0; o < out; o++) {
                for (int k = 0; k < r; k++) {
                    b[(i * out + o) * rank + k] = s * p.b()[o * r + k];
                }
            }
        }
        return new Lora(own(backend.fromFloats(DType.F32, a, na, rank, in)),
                own(backend.fromFloats(DType.F32, b, na, out, rank)), rank);
    }

    /**
     * Runs the spans through the model in one batch and returns F32 logits [spans with logits, vocab]
     * for their last tokens, in span order (the caller closes the tensor). Spans attend to the KV
     * already in their cache slots plus their own, written layer by layer before attention, so a
     * later span of the same sequence sees an earlier one's fresh K/V.
     *
     * @param cache a cache from {@link #newCache}
     * @param spans the spans, at least one, at least one asking for logits
     * @return F32 logits [spans with logits, vocabSize]
     * @throws IllegalArgumentException starting with "spans:" for a span with no tokens, a token, position, block
     *     or adapter out of range; nothing is written then
     */
    public Tensor forward(PagedKvCache cache, List<Span> spans) {
        Check.arg(cache != null, "cache", "is null");
        Check.arg(spans != null && !spans.isEmpty(), "spans", "needs at least one span");
        LlamaConfig c = config;
        int bs = cache.blockSize();
        int numSpans = spans.size();
        int total = 0;
        int maxTable = 1;
        int logitRows = 0;
        boolean anyAdapter = false;
        for (int s = 0; s < numSpans; s++) {
            Span sp = spans.get(s);
            Check.arg(sp != null && sp.tokens() != null && sp.tokens().length > 0 && sp.blockTable() != null, "spans",
                    "entry %d is null or has no tokens or no block table", s);
            int end = sp.start() + sp.tokens().length;
            Check.arg(sp.start() >= 0 && end <= c.maxPositions(), "spans",
                    "entry %d covers positions [%d, %d), outside [0, %d)", s, sp.start(), end, c.maxPositions());
            Check.arg((long) sp.blockTable().length * bs >= end, "spans",
                    "entry %d ends at position %d, beyond its %d blocks of %d", s, end, sp.blockTable().length, bs);
            Check.arg(sp.adapter() >= -1 && sp.adapter() < numAdapters, "spans",
                    "entry %d has adapter %d, outside [-1, %d)", s, sp.adapter(), numAdapters);
            for (int t : sp.tokens()) {
                Check.arg(t >= 0 && t < c.vocabSize(), "spans", "entry %d has token %d, outside [0, %d)", s, t,
                        c.vocabSize());
            }
            total = Math.addExact(total, sp.tokens().length);
            maxTable = Math.max(maxTable, (end + bs - 1) / bs);
            logitRows += sp.logits() ? 1 : 0;
            anyAdapter |= sp.adapter() >= 0;
        }
        Check.arg(logitRows > 0, "spans", "no span asks for logits");

        int[] tables = new int[numSpans * maxTable];
        int[] seqLens = new int[numSpans];
        int[] starts = new int[numSpans + 1];
        int[] slots = new int[total];
        int[] adapterOfRow = new int[total];
        float[] h = new float[total * c.hiddenSize()];
        int row = 0;
        for (int s = 0; s < numSpans; s++) {
            Span sp = spans.get(s);
            int end = sp.start() + sp.tokens().length;
            int used = (end + bs - 1) / bs;
            for (int b = 0; b < used; b++) {
                int id = sp.blockTable()[b];
                Check.arg(id >= 0 && id < cache.numBlocks(), "spans", "entry %d: block table entry %d is %d, outside [0, %d)",
                        s, b, id, cache.numBlocks());
                tables[s * maxTable + b] = id;
            }
            seqLens[s] = end;
            starts[s + 1] = starts[s] + sp.tokens().length;
            for (int i = 0; i < sp.tokens().length; i++, row++) {
                int pos = sp.start() + i;
                slots[row] = sp.writeKv() ? sp.blockTable()[pos / bs] * bs + pos % bs : -1;
                adapterOfRow[row] = sp.adapter();
                System.arraycopy(embed, sp.tokens()[i] * c.hiddenSize(), h, row * c.hiddenSize(), c.hiddenSize());
            }
        }

        // One metadata for the step: every layer's writeKv and attention share its indices.
        try (AttentionMetadata step = backend.attentionMetadata(cache.numBlocks(), bs, tables, maxTable, seqLens,
                        starts, slots);
                Tensor idxT = backend.fromInts(adapterOfRow, total)) {
            Tensor idx = anyAdapter ? idxT : null;
            for (int l = 0; l < c.numLayers(); l++) {
                h = layer(cache, l, h, total, step, idx);
            }
        }

        float[] last = new float[logitRows * c.hiddenSize()];
        int r = 0;
        for (int s = 0; s < numSpans; s++) {
            if (spans.get(s).logits()) {
                System.arraycopy(h, (starts[s + 1] - 1) * c.hiddenSize(), last, r++ * c.hiddenSize(), c.hiddenSize());
            }
        }
        float[] normed = rmsNorm(last, logitRows, finalNorm);
        Tensor logits = backend.allocate(DType.F32, logitRows, c.vocabSize());
        try (Tensor x = backend.fromFloats(DType.F32, normed, logitRows, c.hiddenSize())) {
            backend.matmul(new MatmulArgs(x, lmHead, logits));
            return logits;
        } catch (RuntimeException e) {
            logits.close();
            throw e;
        }
    }

    private float[] layer(PagedKvCache cache, int l, float[] h, int rows, AttentionMetadata step, Tensor idx) {
        LlamaConfig c = config;
        int q = c.qSize();
        int kv = c.kvSize();
        float[] qkv = linear(rmsNorm(h, rows, inputNorm[l]), rows, wqkv[l], l, new int[] {0, 1, 2},
                new int[] {0, q, q + kv}, idx);
        addBias(qkv, qkvBias[l]);
        float[] qa = new float[rows * q];
        float[] ka = new float[rows * kv];
        float[] va = new float[rows * kv];
        int width = q + 2 * kv;
        for (int t = 0; t < rows; t++) {
            System.arraycopy(qkv, t * width, qa, t * q, q);
            System.arraycopy(qkv, t * width + q, ka, t * kv, kv);
            System.arraycopy(qkv, t * width + q + kv, va, t * kv, kv);
        }
        float[] attn;
        try (Tensor qt = backend.fromFloats(DType.F32, qa, rows, c.numHeads(), c.headDim());
                Tensor kt = backend.fromFloats(DType.F32, ka, rows, c.numKvHeads(), c.headDim());
                Tensor vt = backend.fromFloats(DType.F32, va, rows, c.numKvHeads(), c.headDim());
                Tensor out = backend.allocate(DType.F32, rows, c.numHeads(), c.headDim())) {
            backend.writeKv(new WriteKvArgs(kt, vt, cache.keys(l), cache.values(l), step, cache.layout()));
            backend.pagedAttention(AttentionArgs.builder().q(qt).kvCache(cache.keys(l), cache.values(l))
                    .kvLayout(cache.layout()).metadata(step).rope(RopeStyle.NEOX, cosSin).out(out).build());
            attn = out.toFloatArray();
        }
        float[] o = linear(attn, rows, wo[l], l, new int[] {3}, new int[] {0}, idx);
        addBias(o, oBias[l]);
        for (int i = 0; i < h.length; i++) {
            h[i] += o[i];
        }
        int inter = c.intermediateSize();
        float[] gu = linear(rmsNorm(h, rows, postNorm[l]), rows, wgateUp[l], l, new int[] {4, 5},
                new int[] {0, inter}, idx);
        float[] act = new float[rows * inter];
        for (int t = 0; t < rows; t++) {
            for (int i = 0; i < inter; i++) {
                float g = gu[t * 2 * inter + i];
                float silu = (float) (g / (1.0 + Math.exp(-g)));
                act[t * inter + i] = silu * gu[t * 2 * inter + inter + i];
            }
        }
        float[] d = linear(act, rows, wdown[l], l, new int[] {6}, new int[] {0}, idx);
        for (int i = 0; i < h.length; i++) {
            h[i] += d[i];
        }
        return h;
    }

    /** x . W^T on the backend, plus each listed projection's LoRA delta at its column offset. */
    private float[] linear(float[] x, int rows, Tensor w, int layer, int[] projections, int[] offsets, Tensor idx) {
        int in = (int) w.dim(1);
        try (Tensor xt = backend.fromFloats(DType.F32, x, rows, in);
                Tensor yt = backend.allocate(DType.F32, rows, w.dim(0))) {
            backend.matmul(new MatmulArgs(xt, w, yt));
            if (idx != null) {
                for (int j = 0; j < projections.length; j++) {
                    Lora lo = lora[layer][projections[j]];
                    if (lo == null) {
                        continue;
                    }
                    try (Tensor v = backend.allocate(DType.F32, rows, lo.rank())) {
                        backend.bgmvShrink(new BgmvShrinkArgs(xt, lo.a(), idx, v, 1f));
                        backend.bgmvExpand(new BgmvExpandArgs(v, lo.b(), idx, yt, offsets[j]));
                    }
                }
            }
            return yt.toFloatArray();
        }
    }

    /** RMSNorm of each row: x / sqrt(mean(x²) + eps) * weight, the mean summed in double. */
    private float[] rmsNorm(float[] x, int rows, float[] weight) {
        int hsz = weight.length;
        float[] y = new float[rows * hsz];
        for (int t = 0; t < rows; t++) {
            double ss = 0;
            for (int i = 0; i < hsz; i++) {
                float v = x[t * hsz + i];
                ss += (double) v * v;
            }
            float inv = (float) (1.0 / Math.sqrt(ss / hsz + config.rmsNormEps()));
            for (int i = 0; i < hsz; i++) {
                y[t * hsz + i] = x[t * hsz + i] * inv * weight[i];
            }
        }
        return y;
    }

    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }
}
