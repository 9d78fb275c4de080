package dev.npukit.model;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Llama-architecture decoder on the kernels: token embedding, per layer RMSNorm, q/k/v
 * projections (plus their biases for Qwen2), {@code writeKv} of unrotated keys into a
 * {@link PagedKvCache}, RoPE-fused paged attention (NEOX style, as Hugging Face Llama, with the
 * config's RoPE scaling in the cos/sin table), o projection, residual, RMSNorm, SwiGLU MLP,
 * residual; final RMSNorm and LM head. Grouped-query attention follows from the config.
 *
 * <p>Every step runs on the backend, and the activations stay there from the embedding lookup to
 * the logits: {@code embedding}, {@code rmsNorm} (the residual add fused into it), {@code matmul}
 * (with the q/k/v and o biases), {@code writeKv}, {@code pagedAttention}, {@code siluMul}; a
 * forward pass makes a fixed number of kernel calls per layer whatever the model's width, and
 * copies only the step's token ids and indices to the backend. The LoRA adapters given at
 * construction are applied through BGMV shrink/expand, one adapter index per span, so rows with
 * different adapters (or none, -1) share one batch.
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
    /** The embedding table [vocab, hidden] in the weights' dtype; the LM head too when embeddings are tied. */
    private final Tensor embed;
    private final Tensor[] inputNorm;
    private final Tensor[] postNorm;
    private final Tensor finalNorm;
    private final Tensor[] wq;
    private final Tensor[] wk;
    private final Tensor[] wv;
    /** Per layer, the F32 biases of q, k, v and o (null where the config has none). */
    private final Tensor[] bq;
    private final Tensor[] bk;
    private final Tensor[] bv;
    private final Tensor[] bo;
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
        inputNorm = new Tensor[n];
        postNorm = new Tensor[n];
        wq = new Tensor[n];
        wk = new Tensor[n];
        wv = new Tensor[n];
        bq = new Tensor[n];
        bk = new Tensor[n];
        bv = new Tensor[n];
        bo = new Tensor[n];
        wo = new Tensor[n];
        wgateUp = new Tensor[n];
        wdown = new Tensor[n];
        lora = new Lora[n][LlamaWeights.PROJECTIONS.size()];
        numAdapters = adapters.size();
        Tensor table = null;
        try {
            // The embedding floats are values of the weights' dtype (one dtype per checkpoint; random
            // weights are rounded to it), so the table loses nothing in it.
            table = own(upload(dt, c.hiddenSize(), weights.get("model.embed_tokens.weight")));
            for (int l = 0; l < n; l++) {
                String p = "model.layers." + l + ".";
                inputNorm[l] = own(vector(weights.get(p + "input_layernorm.weight")));
                postNorm[l] = own(vector(weights.get(p + "post_attention_layernorm.weight")));
                wq[l] = own(upload(dt, c.hiddenSize(), weights.get(p + "self_attn.q_proj.weight")));
                wk[l] = own(upload(dt, c.hiddenSize(), weights.get(p + "self_attn.k_proj.weight")));
                wv[l] = own(upload(dt, c.hiddenSize(), weights.get(p + "self_attn.v_proj.weight")));
                if (c.qkvBias()) {
                    bq[l] = own(vector(weights.get(p + "self_attn.q_proj.bias")));
                    bk[l] = own(vector(weights.get(p + "self_attn.k_proj.bias")));
                    bv[l] = own(vector(weights.get(p + "self_attn.v_proj.bias")));
                }
                if (c.oBias()) {
                    bo[l] = own(vector(weights.get(p + "self_attn.o_proj.bias")));
                }
                wo[l] = own(upload(dt, c.qSize(), weights.get(p + "self_attn.o_proj.weight")));
                wgateUp[l] = own(upload(dt, c.hiddenSize(), weights.get(p + "mlp.gate_proj.weight"),
                        weights.get(p + "mlp.up_proj.weight")));
                wdown[l] = own(upload(dt, c.intermediateSize(), weights.get(p + "mlp.down_proj.weight")));
                for (int j = 0; j < LlamaWeights.PROJECTIONS.size(); j++) {
                    lora[l][j] = stackLora(l, LlamaWeights.PROJECTIONS.get(j), adapters);
                }
            }
            finalNorm = own(vector(weights.get("model.norm.weight")));
            lmHead = c.tieWordEmbeddings() ? table : own(upload(dt, c.hiddenSize(), weights.get("lm_head.weight")));
            cosSin = own(backend.fromFloats(DType.F32, c.ropeTable(), c.maxPositions(), c.headDim()));
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        embed = table;
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

    /** Row-wise concatenation of [*, in] matrices, uploaded as one [sum, in] weight (the caller owns it). */
    private Tensor upload(DType dt, int in, float[]... parts) {
        float[] all = concat(parts);
        return backend.fromFloats(dt, all, all.length / in, in);
    }

    /** An F32 vector on the backend (the caller owns it). */
    private Tensor vector(float[] v) {
        return backend.fromFloats(DType.F32, v, v.length);
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
        int[] ids = new int[total];
        int[] lastRows = new int[logitRows];
        int row = 0;
        for (int s = 0, r = 0; s < numSpans; s++) {
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
                ids[row] = sp.tokens()[i];
            }
            if (sp.logits()) {
                lastRows[r++] = starts[s + 1] - 1;
            }
        }

        // One metadata for the step: every layer's writeKv and attention share its indices.
        try (AttentionMetadata step = backend.attentionMetadata(cache.numBlocks(), bs, tables, maxTable, seqLens,
                        starts, slots);
                Step st = new Step(total, anyAdapter ? adapterOfRow : null)) {
            try (Tensor idsT = backend.fromInts(ids, total)) {
                backend.embedding(new EmbeddingArgs(embed, idsT, st.h));
            }
            for (int l = 0; l < c.numLayers(); l++) {
                layer(cache, l, st, step);
            }
            // The last layer's MLP output joins the residual stream in the final norm.
            backend.rmsNorm(new RmsNormArgs(st.delta, st.h, finalNorm, st.normed, c.rmsNormEps()));
            Tensor logits = backend.allocate(DType.F32, logitRows, c.vocabSize());
            try {
                if (logitRows == total) {
                    backend.matmul(new MatmulArgs(st.normed, lmHead, logits));
                } else {
                    try (Tensor rowsT = backend.fromInts(lastRows, logitRows);
                            Tensor last = backend.allocate(DType.F32, logitRows, c.hiddenSize())) {
                        backend.embedding(new EmbeddingArgs(st.normed, rowsT, last));
                        backend.matmul(new MatmulArgs(last, lmHead, logits));
                    }
                }
                return logits;
            } catch (RuntimeException e) {
                logits.close();
                throw e;
            }
        }
    }

    /**
     * The activations of one forward pass on the backend, allocated once for all layers: the
     * residual stream, the normed input of a sublayer, q/k/v and their head views, the attention
     * output, the MLP's gate-up and activation, and a sublayer's output before it joins the
     * residual stream (fused into the next RMS norm).
     */
    private final class Step implements AutoCloseable {
        final Tensor h;
        final Tensor normed;
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final Tensor qHeads;
        final Tensor kHeads;
        final Tensor vHeads;
        final Tensor attn;
        final Tensor attnHeads;
        final Tensor gateUp;
        final Tensor act;
        final Tensor delta;
        /** Each row's adapter, or null when no row has one. */
        final Tensor adapters;
        /** BGMV shrink outputs by rank, made on first use. */
        private final Map<Integer, Tensor> shrunk = new HashMap<>();
        private final List<Tensor> all = new ArrayList<>();
        private final int rows;

        Step(int rows, int[] adapterOfRow) {
            this.rows = rows;
            LlamaConfig c = config;
            try {
                h = add(backend.allocate(DType.F32, rows, c.hiddenSize()));
                normed = add(backend.allocate(DType.F32, rows, c.hiddenSize()));
                q = add(backend.allocate(DType.F32, rows, c.qSize()));
                k = add(backend.allocate(DType.F32, rows, c.kvSize()));
                v = add(backend.allocate(DType.F32, rows, c.kvSize()));
                qHeads = add(q.reshape(rows, c.numHeads(), c.headDim()));
                kHeads = add(k.reshape(rows, c.numKvHeads(), c.headDim()));
                vHeads = add(v.reshape(rows, c.numKvHeads(), c.headDim()));
                attn = add(backend.allocate(DType.F32, rows, c.qSize()));
                attnHeads = add(attn.reshape(rows, c.numHeads(), c.headDim()));
                gateUp = add(backend.allocate(DType.F32, rows, 2L * c.intermediateSize()));
                act = add(backend.allocate(DType.F32, rows, c.intermediateSize()));
                delta = add(backend.allocate(DType.F32, rows, c.hiddenSize()));
                adapters = adapterOfRow == null ? null : add(backend.fromInts(adapterOfRow, rows));
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        private Tensor add(Tensor t) {
            all.add(t);
            return t;
        }

        Tensor shrunk(int rank) {
            return shrunk.computeIfAbsent(rank, r -> add(backend.allocate(DType.F32, rows, r)));
        }

        @Override
        public void close() {
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).close();
            }
            all.clear();
        }
    }

    /**
     * One decoder layer. On entry {@code st.delta} holds the previous layer's MLP output, not yet
     * added to the residual stream {@code st.h} (nothing for layer 0); on exit it holds this layer's.
     */
    private void layer(PagedKvCache cache, int l, Step st, AttentionMetadata step) {
        LlamaConfig c = config;
        float eps = c.rmsNormEps();
        backend.rmsNorm(new RmsNormArgs(l == 0 ? st.h : st.delta, l == 0 ? null : st.h, inputNorm[l], st.normed, eps));
        linear(st, st.normed, wq[l], bq[l], st.q, l, 0, 0);
        linear(st, st.normed, wk[l], bk[l], st.k, l, 1, 0);
        linear(st, st.normed, wv[l], bv[l], st.v, l, 2, 0);
        backend.writeKv(new WriteKvArgs(st.kHeads, st.vHeads, cache.keys(l), cache.values(l), step,
                cache.layout()));
        backend.pagedAttention(AttentionArgs.builder().q(st.qHeads).kvCache(cache.keys(l), cache.values(l))
                .kvLayout(cache.layout()).metadata(step).rope(RopeStyle.NEOX, cosSin).out(st.attnHeads).build());
        linear(st, st.attn, wo[l], bo[l], st.delta, l, 3, 0);
        backend.rmsNorm(new RmsNormArgs(st.delta, st.h, postNorm[l], st.normed, eps));
        linear(st, st.normed, wgateUp[l], null, st.gateUp, l, 4, 0);
        addLora(st, st.normed, st.gateUp, l, 5, c.intermediateSize());
        backend.siluMul(new SiluMulArgs(st.gateUp, st.act));
        linear(st, st.act, wdown[l], null, st.delta, l, 6, 0);
    }

    /** out = x . w^T + bias on the backend, plus the projection's LoRA delta at column offset. */
    private void linear(Step st, Tensor x, Tensor w, Tensor bias, Tensor out, int layer, int projection, int offset) {
        backend.matmul(new MatmulArgs(x, w, bias, out));
        addLora(st, x, out, layer, projection, offset);
    }

    /** Adds the rows' adapters' B . A . x of one projection into out at a column offset (nothing without adapters). */
    private void addLora(Step st, Tensor x, Tensor out, int layer, int projection, int offset) {
        Lora lo = lora[layer][projection];
        if (st.adapters == null || lo == null) {
            return;
        }
        Tensor v = st.shrunk(lo.rank());
        backend.bgmvShrink(new BgmvShrinkArgs(x, lo.a(), st.adapters, v, 1f));
        backend.bgmvExpand(new BgmvExpandArgs(v, lo.b(), st.adapters, out, offset));
    }

    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }
}
