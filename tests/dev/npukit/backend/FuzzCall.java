package dev.npukit.backend;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A backend-independent description of one kernel call (tensor dtypes, shapes and contents, and
 * the scalars), which {@link #run} makes on any backend. Every tensor is a view into a larger
 * buffer with guard elements on both sides, so that {@link Outcome} can tell a write outside the
 * tensor, and a write by a refused call, from the result of an accepted call.
 */
final class FuzzCall {
    enum Kernel { ATTENTION, WRITE_KV, ROPE, CONTRASTIVE, BGMV_SHRINK, BGMV_EXPAND, MATMUL, RMS_NORM, SILU_MUL, EMBEDDING }

    /** Guard elements on each side of every tensor. */
    private static final int GUARD = 16;
    private static final float GUARD_FLOAT = -1234.5f;
    private static final int GUARD_INT = -777_777;

    /** One tensor argument: null when {@code dtype} is null; its contents repeat {@code values}. */
    static final class Spec {
        DType dtype;
        long[] shape;
        double[] values;
        boolean closed;

        Spec(DType dtype, double[] values, long... shape) {
            this.dtype = dtype;
            this.values = values;
            this.shape = shape;
        }

        long numel() {
            return Tensor.numel(shape);
        }

        /** The contents as ints (index tensors), {@code values} repeated to the element count. */
        int[] ints() {
            int[] out = new int[Math.toIntExact(numel())];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.length == 0 ? 0 : (int) values[i % values.length];
            }
            return out;
        }

        float[] floats() {
            float[] out = new float[Math.toIntExact(numel())];
            for (int i = 0; i < out.length; i++) {
                out[i] = values.length == 0 ? 0 : (float) values[i % values.length];
            }
            return out;
        }

        Spec copy() {
            Spec s = new Spec(dtype, values.clone(), shape.clone());
            s.closed = closed;
            return s;
        }

        @Override
        public String toString() {
            return dtype == null ? "null" : dtype + Arrays.toString(shape) + (closed ? " closed" : "");
        }
    }

    final Kernel kernel;
    /** Tensor arguments by the argument record's names, in the record's order. */
    final Map<String, Spec> tensors = new LinkedHashMap<>();
    RopeStyle style;
    /** Attention and rope: null leaves the default (the whole head). */
    Integer rotaryDim;
    /** Attention: null leaves the default 1/sqrt(headDim). BGMV shrink and RMS norm (eps): always set. */
    Float scale;
    /** Attention and writeKv: index tensors through {@link AttentionMetadata} instead of read per call. */
    boolean metadata;
    float alpha;
    float beta;
    float temperature;
    long[] seeds;
    long expertFirstRow;
    long expertRowStride;
    long baseFirstRow;
    long baseRowStride;
    int offset;
    /** The corruptions applied to a valid call, for failure messages. */
    final List<String> corruptions = new ArrayList<>();

    FuzzCall(Kernel kernel) {
        this.kernel = kernel;
    }

    Spec spec(String name) {
        return tensors.get(name);
    }

    FuzzCall copy() {
        FuzzCall c = new FuzzCall(kernel);
        tensors.forEach((k, v) -> c.tensors.put(k, v.copy()));
        c.style = style;
        c.rotaryDim = rotaryDim;
        c.scale = scale;
        c.metadata = metadata;
        c.alpha = alpha;
        c.beta = beta;
        c.temperature = temperature;
        c.seeds = seeds == null ? null : seeds.clone();
        c.expertFirstRow = expertFirstRow;
        c.expertRowStride = expertRowStride;
        c.baseFirstRow = baseFirstRow;
        c.baseRowStride = baseRowStride;
        c.offset = offset;
        c.corruptions.addAll(corruptions);
        return c;
    }

    /**
     * For a kernel whose outputs sum terms that can cancel (attention, BGMV, matmul): this call
     * with every summed term made non-negative, whose outputs on the reference are the terms' size
     * the equality bound is relative to (docs/kernels.md; {@code KernelCase.termMagnitudes}).
     * Null for the other kernels.
     */
    FuzzCall absoluteTerms() {
        List<String> summed = switch (kernel) {
            case ATTENTION -> List.of("vCache");  // the softmax weights are never negative
            case BGMV_SHRINK -> List.of("x", "a");
            case BGMV_EXPAND -> List.of("v", "w", "y");
            case MATMUL -> List.of("x", "weight", "bias");
            default -> List.of();
        };
        if (summed.isEmpty()) {
            return null;
        }
        FuzzCall c = copy();
        for (String name : summed) {
            double[] values = c.tensors.get(name).values;
            for (int i = 0; i < values.length; i++) {
                values[i] = Math.abs(values[i]);
            }
        }
        if (kernel == Kernel.BGMV_SHRINK && c.scale != null) {
            c.scale = Math.abs(c.scale);
        }
        return c;
    }

    /** The loosest float dtype of the call's tensors: the equality bound of its reductions. */
    DType loosestFloat() {
        DType loosest = DType.F32;
        for (Spec s : tensors.values()) {
            if (s.dtype == DType.F16 || s.dtype == DType.BF16) {
                loosest = s.dtype;
            }
        }
        return loosest;
    }

    @Override
    public String toString() {
        return kernel + " " + tensors + " style=" + style + " rotaryDim=" + rotaryDim + " scale=" + scale
                + " metadata=" + metadata + " alpha=" + alpha + " beta=" + beta + " temperature=" + temperature
                + " seeds=" + (seeds == null ? "null" : seeds.length) + " expertRows=" + expertFirstRow + "+b*"
                + expertRowStride + " baseRows=" + baseFirstRow + "+b*" + baseRowStride + " offset=" + offset
                + " corruptions=" + corruptions;
    }

    /**
     * What a call did: refused with an IllegalArgumentException ({@code refusal} is its message),
     * or accepted, with every tensor's contents afterwards. {@code touched} lists the tensors
     * whose guards changed, or (refused) whose contents changed at all.
     */
    record Outcome(String refusal, Map<String, Object> contents, List<String> touched) {
    }

    /** Makes the call on {@code b}; exceptions other than IllegalArgumentException propagate. */
    Outcome run(Backend b) {
        List<Tensor> owned = new ArrayList<>();
        try {
            Map<String, Tensor> buffers = new LinkedHashMap<>();
            Map<String, Tensor> views = new LinkedHashMap<>();
            Map<String, int[]> before = new LinkedHashMap<>();
            for (Map.Entry<String, Spec> e : tensors.entrySet()) {
                Spec s = e.getValue();
                if (s.dtype == null) {
                    continue;
                }
                Tensor buffer = buffer(b, s);
                owned.add(buffer);
                Tensor view = buffer.view(GUARD, s.shape);
                owned.add(view);
                if (s.closed) {
                    view.close();
                }
                buffers.put(e.getKey(), buffer);
                views.put(e.getKey(), view);
                before.put(e.getKey(), snapshot(buffer));
            }
            String refusal = null;
            try {
                call(b, views);
            } catch (IllegalArgumentException e) {
                refusal = e.getMessage();
            }
            Map<String, Object> contents = new LinkedHashMap<>();
            List<String> touched = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
                Tensor buffer = e.getValue();
                int[] after = snapshot(buffer);
                int[] was = before.get(e.getKey());
                int n = Math.toIntExact(tensors.get(e.getKey()).numel());
                if (!guardsEqual(was, after, n) || (refusal != null && !Arrays.equals(was, after))) {
                    touched.add(e.getKey());
                }
                contents.put(e.getKey(), buffer.dtype() == DType.I32 ? buffer.readInts(GUARD, n)
                        : buffer.readFloats(GUARD, n));
            }
            return new Outcome(refusal, contents, touched);
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    private void call(Backend b, Map<String, Tensor> v) {
        switch (kernel) {
            case ATTENTION -> {
                AttentionMetadata md = metadata ? metadata(b) : null;
                try {
                    AttentionArgs.Builder args = AttentionArgs.builder().q(v.get("q"))
                            .kvCache(v.get("kCache"), v.get("vCache")).rope(style, v.get("cosSin"))
                            .out(v.get("out"));
                    if (rotaryDim != null) {
                        args.rotaryDim(rotaryDim);
                    }
                    if (scale != null) {
                        args.scale(scale);
                    }
                    if (md != null) {
                        args.metadata(md);
                    } else {
                        args.blockTables(v.get("blockTables")).seqLens(v.get("seqLens"))
                                .queryStartLoc(v.get("queryStartLoc"));
                    }
                    b.pagedAttention(args.build());
                } finally {
                    if (md != null) {
                        md.close();
                    }
                }
            }
            case WRITE_KV -> {
                if (metadata) {
                    try (AttentionMetadata md = metadata(b)) {
                        b.writeKv(new WriteKvArgs(v.get("key"), v.get("value"), v.get("kCache"), v.get("vCache"),
                                md));
                    }
                } else {
                    b.writeKv(new WriteKvArgs(v.get("key"), v.get("value"), v.get("kCache"), v.get("vCache"),
                            v.get("slotMapping")));
                }
            }
            case ROPE -> b.rope(rotaryDim == null ? new RopeArgs(v.get("x"), v.get("positions"), v.get("cosSin"), style)
                    : new RopeArgs(v.get("x"), v.get("positions"), v.get("cosSin"), style, rotaryDim));
            case CONTRASTIVE -> {
                Tensor expert = v.get("expert");
                Tensor base = v.get("base");
                b.contrastive(ContrastiveArgs.builder()
                        .expert(expert == null ? null : new LogitRows(expert, expertFirstRow, expertRowStride))
                        .base(base == null ? null : new LogitRows(base, baseFirstRow, baseRowStride))
                        .alpha(alpha).beta(beta).outputs(v.get("token"), v.get("score"), v.get("validCount"))
                        .topK(v.get("topkIndices"), v.get("topkScores")).sample(temperature, seeds).build());
            }
            case BGMV_SHRINK -> b.bgmvShrink(new BgmvShrinkArgs(v.get("x"), v.get("a"), v.get("indices"),
                    v.get("y"), scale));
            case BGMV_EXPAND -> b.bgmvExpand(new BgmvExpandArgs(v.get("v"), v.get("w"), v.get("indices"),
                    v.get("y"), offset));
            case MATMUL -> b.matmul(new MatmulArgs(v.get("x"), v.get("weight"), v.get("bias"), v.get("out")));
            case RMS_NORM -> b.rmsNorm(new RmsNormArgs(v.get("x"), v.get("residual"), v.get("weight"), v.get("out"),
                    scale));
            case SILU_MUL -> b.siluMul(new SiluMulArgs(v.get("gateUp"), v.get("out")));
            case EMBEDDING -> b.embedding(new EmbeddingArgs(v.get("table"), v.get("ids"), v.get("out")));
            default -> throw new AssertionError(kernel);
        }
    }

    /**
     * The step's metadata from the index specs' contents: the cache geometry from kCache, the
     * block-table width from blockTables (both as far as their shapes go).
     */
    private AttentionMetadata metadata(Backend b) {
        Spec cache = spec("kCache");
        Spec tables = spec("blockTables");
        int numBlocks = cache.shape.length > 0 ? (int) cache.shape[0] : 0;
        int blockSize = cache.shape.length > 1 ? (int) cache.shape[1] : 1;
        int width = tables.shape.length > 1 ? (int) tables.shape[1] : 0;
        return b.attentionMetadata(numBlocks, blockSize, tables.ints(), width, spec("seqLens").ints(),
                spec("queryStartLoc").ints(), spec("slotMapping").ints());
    }

    private static Tensor buffer(Backend b, Spec s) {
        int n = Math.toIntExact(s.numel());
        if (s.dtype == DType.I32) {
            int[] data = new int[n + 2 * GUARD];
            Arrays.fill(data, GUARD_INT);
            System.arraycopy(s.ints(), 0, data, GUARD, n);
            return b.fromInts(data, data.length);
        }
        float[] data = new float[n + 2 * GUARD];
        Arrays.fill(data, GUARD_FLOAT);
        System.arraycopy(s.floats(), 0, data, GUARD, n);
        return b.fromFloats(s.dtype, data, data.length);
    }

    /** The exact contents as raw bits: ints, 16-bit patterns, or F32 bit patterns. */
    private static int[] snapshot(Tensor t) {
        switch (t.dtype()) {
            case I32:
                return t.toIntArray();
            case F16:
            case BF16: {
                short[] bits = t.toBits();
                int[] out = new int[bits.length];
                for (int i = 0; i < bits.length; i++) {
                    out[i] = bits[i];
                }
                return out;
            }
            default: {
                float[] f = t.toFloatArray();
                int[] out = new int[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = Float.floatToRawIntBits(f[i]);
                }
                return out;
            }
        }
    }

    /** The elements outside [GUARD, GUARD + n) are equal. */
    private static boolean guardsEqual(int[] was, int[] after, int n) {
        return Arrays.equals(was, 0, GUARD, after, 0, GUARD)
                && Arrays.equals(was, GUARD + n, was.length, after, GUARD + n, after.length);
    }
}
