package dev.npukit.backend;

import dev.npukit.backend.FuzzCall.Kernel;
import dev.npukit.backend.FuzzCall.Spec;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random small calls of all ten kernels: a valid call (sizes down to zero, every dtype, every
 * optional argument), then, for most calls, one to three random corruptions of a tensor (a
 * dimension, the rank, the dtype, null, closed, an index entry) or of a scalar. A corruption may
 * leave the call valid; the fuzz test does not need to know, since every backend must then do
 * what the reference does.
 */
final class FuzzCallGenerator {
    private static final DType[] FLOATS = {DType.F32, DType.F16, DType.BF16};
    private static final DType[] ALL = {DType.F32, DType.F16, DType.BF16, DType.I32};

    private final Random r;

    FuzzCallGenerator(long seed) {
        r = new Random(seed);
    }

    FuzzCall next() {
        Kernel kernel = Kernel.values()[r.nextInt(Kernel.values().length)];
        FuzzCall c = switch (kernel) {
            case ATTENTION -> attention();
            case WRITE_KV -> writeKv();
            case ROPE -> rope();
            case CONTRASTIVE -> contrastive();
            case BGMV_SHRINK -> bgmvShrink();
            case BGMV_EXPAND -> bgmvExpand();
            case MATMUL -> matmul();
            case RMS_NORM -> rmsNorm();
            case SILU_MUL -> siluMul();
            case EMBEDDING -> embedding();
        };
        if (r.nextInt(4) != 0) {
            int corruptions = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
            for (int i = 0; i < corruptions; i++) {
                corrupt(c);
            }
        }
        return c;
    }

    // ---- valid calls ----

    /** Sequences of 0-12 slots with 0-3 query rows, in blocks of 1-5 slots of a random cache. */
    private FuzzCall attention() {
        FuzzCall c = new FuzzCall(Kernel.ATTENTION);
        int numSeqs = r.nextInt(4);
        int kvHeads = 1 + r.nextInt(3);
        int heads = kvHeads * (1 + r.nextInt(3));
        int headDim = 1 + r.nextInt(12);
        int blockSize = 1 + r.nextInt(5);
        c.style = headDim < 2 ? RopeStyle.NONE : RopeStyle.values()[r.nextInt(3)];
        int rot = headDim < 2 ? headDim : 2 * (1 + r.nextInt(headDim / 2));
        c.rotaryDim = r.nextBoolean() ? null : rot;
        int[] lens = new int[numSeqs];
        int[] starts = new int[numSeqs + 1];
        int width = 0;
        int maxLen = 0;
        for (int s = 0; s < numSeqs; s++) {
            lens[s] = r.nextInt(13);
            starts[s + 1] = starts[s] + r.nextInt(Math.min(lens[s], 3) + 1);
            width = Math.max(width, (lens[s] + blockSize - 1) / blockSize);
            maxLen = Math.max(maxLen, lens[s]);
        }
        width += r.nextInt(2);
        int numBlocks = 1 + r.nextInt(Math.max(1, numSeqs * width));
        double[] tables = new double[numSeqs * width];
        for (int i = 0; i < tables.length; i++) {
            tables[i] = r.nextInt(numBlocks);
        }
        int numTokens = starts[numSeqs];
        c.scale = r.nextBoolean() ? null : (float) r.nextGaussian();
        c.metadata = r.nextInt(4) == 0;
        c.tensors.put("q", new Spec(floatType(), gaussian(numTokens * heads * headDim), numTokens, heads, headDim));
        DType cache = floatType();
        int cacheElems = numBlocks * blockSize * kvHeads * headDim;
        c.tensors.put("kCache", new Spec(cache, gaussian(cacheElems), numBlocks, blockSize, kvHeads, headDim));
        c.tensors.put("vCache", new Spec(cache, gaussian(cacheElems), numBlocks, blockSize, kvHeads, headDim));
        c.tensors.put("blockTables", new Spec(DType.I32, tables, numSeqs, width));
        c.tensors.put("seqLens", new Spec(DType.I32, toDoubles(lens), numSeqs));
        c.tensors.put("queryStartLoc", new Spec(DType.I32, toDoubles(starts), numSeqs + 1));
        int positions = maxLen + r.nextInt(3);
        int cosSinDim = c.rotaryDim == null ? headDim : c.rotaryDim;
        c.tensors.put("cosSin", c.style == RopeStyle.NONE && r.nextBoolean() ? new Spec(null, new double[0])
                : new Spec(DType.F32, unit(positions * cosSinDim), positions, cosSinDim));
        c.tensors.put("out", new Spec(floatType(), gaussian(numTokens * heads * headDim), numTokens, heads, headDim));
        // Read only with metadata, where it must hold one valid slot per query row.
        c.tensors.put("slotMapping", new Spec(DType.I32, slots(numTokens, numBlocks * blockSize), numTokens));
        return c;
    }

    private FuzzCall writeKv() {
        FuzzCall c = new FuzzCall(Kernel.WRITE_KV);
        int numTokens = r.nextInt(7);
        int kvHeads = 1 + r.nextInt(3);
        int headDim = 1 + r.nextInt(12);
        int numBlocks = r.nextInt(5);
        int blockSize = 1 + r.nextInt(5);
        c.metadata = r.nextInt(4) == 0;
        if (c.metadata) {
            // One sequence holding the step's tokens: its block table covers them.
            numBlocks = Math.max(numBlocks, (numTokens + blockSize - 1) / blockSize);
            int width = (numTokens + blockSize - 1) / blockSize;
            double[] tables = new double[width];
            for (int i = 0; i < width; i++) {
                tables[i] = r.nextInt(numBlocks);
            }
            c.tensors.put("blockTables", new Spec(DType.I32, tables, 1, width));
            c.tensors.put("seqLens", new Spec(DType.I32, new double[] {numTokens}, 1));
            c.tensors.put("queryStartLoc", new Spec(DType.I32, new double[] {0, numTokens}, 2));
        }
        c.tensors.put("key", new Spec(floatType(), gaussian(numTokens * kvHeads * headDim), numTokens, kvHeads,
                headDim));
        c.tensors.put("value", new Spec(floatType(), gaussian(numTokens * kvHeads * headDim), numTokens, kvHeads,
                headDim));
        DType cache = floatType();
        int cacheElems = numBlocks * blockSize * kvHeads * headDim;
        c.tensors.put("kCache", new Spec(cache, gaussian(cacheElems), numBlocks, blockSize, kvHeads, headDim));
        c.tensors.put("vCache", new Spec(cache, gaussian(cacheElems), numBlocks, blockSize, kvHeads, headDim));
        c.tensors.put("slotMapping", new Spec(DType.I32, slots(numTokens, numBlocks * blockSize), numTokens));
        return c;
    }

    private FuzzCall rope() {
        FuzzCall c = new FuzzCall(Kernel.ROPE);
        int numTokens = r.nextInt(6);
        int heads = 1 + r.nextInt(4);
        int headDim = 2 + r.nextInt(15);
        int rot = 2 * (1 + r.nextInt(headDim / 2));
        int positions = 1 + r.nextInt(8);
        c.style = RopeStyle.values()[r.nextInt(3)];
        c.rotaryDim = r.nextBoolean() ? null : rot;
        int tableDim = c.rotaryDim == null ? headDim : rot;
        double[] pos = new double[numTokens];
        for (int i = 0; i < numTokens; i++) {
            pos[i] = r.nextInt(positions);
        }
        c.tensors.put("x", new Spec(floatType(), gaussian(numTokens * heads * headDim), numTokens, heads, headDim));
        c.tensors.put("positions", new Spec(DType.I32, pos, numTokens));
        c.tensors.put("cosSin", new Spec(DType.F32, unit(positions * tableDim), positions, tableDim));
        return c;
    }

    /** Logit rows separate, interleaved or strided; greedy or sampled; with or without top-k. */
    private FuzzCall contrastive() {
        FuzzCall c = new FuzzCall(Kernel.CONTRASTIVE);
        int batch = r.nextInt(5);
        int vocab = 1 + r.nextInt(40);
        DType logits = floatType();
        int layout = r.nextInt(3);
        long rows;
        if (layout == 0) {
            rows = batch;
            c.expertRowStride = 1;
            c.baseRowStride = 1;
        } else if (layout == 1) {
            rows = 2L * batch;
            c.expertRowStride = 2;
            c.baseFirstRow = 1;
            c.baseRowStride = 2;
        } else {
            c.expertFirstRow = r.nextInt(3);
            c.baseFirstRow = r.nextInt(3);
            c.expertRowStride = 1 + r.nextInt(3);
            c.baseRowStride = 1 + r.nextInt(3);
            long last = Math.max(c.expertFirstRow + (batch - 1L) * c.expertRowStride,
                    c.baseFirstRow + (batch - 1L) * c.baseRowStride);
            rows = Math.max(0, last + 1) + r.nextInt(2);
        }
        c.tensors.put("expert", new Spec(logits, logits(rows * vocab), rows, vocab));
        c.tensors.put("base", new Spec(logits, logits(rows * vocab), rows, vocab));
        c.alpha = new float[] {1f, 0.5f, 0.1f, 1e-3f, (float) r.nextDouble()}[r.nextInt(5)];
        if (c.alpha == 0) {
            c.alpha = 0.25f;
        }
        c.beta = new float[] {0f, 0.5f, 2f, (float) (4 * r.nextDouble())}[r.nextInt(4)];
        c.tensors.put("token", new Spec(DType.I32, new double[] {-5}, batch));
        c.tensors.put("score", new Spec(DType.F32, new double[] {7.5}, batch));
        c.tensors.put("validCount", new Spec(DType.I32, new double[] {-3}, batch));
        if (r.nextBoolean()) {
            int k = 1 + r.nextInt(vocab);
            c.tensors.put("topkIndices", new Spec(DType.I32, new double[] {-9}, batch, k));
            c.tensors.put("topkScores", new Spec(DType.F32, new double[] {2.5}, batch, k));
        } else {
            c.tensors.put("topkIndices", new Spec(null, new double[0]));
            c.tensors.put("topkScores", new Spec(null, new double[0]));
        }
        c.temperature = Float.NaN;
        if (r.nextBoolean()) {
            c.temperature = new float[] {0.5f, 1f, 2f}[r.nextInt(3)];
            c.seeds = new long[batch];
            for (int b = 0; b < batch; b++) {
                c.seeds[b] = r.nextLong();
            }
        }
        return c;
    }

    private FuzzCall bgmvShrink() {
        FuzzCall c = new FuzzCall(Kernel.BGMV_SHRINK);
        int batch = r.nextInt(6);
        int hIn = r.nextInt(25);
        int rank = r.nextInt(9);
        int loras = r.nextInt(4);
        c.scale = (float) r.nextGaussian();
        c.tensors.put("x", new Spec(floatType(), gaussian(batch * hIn), batch, hIn));
        c.tensors.put("a", new Spec(floatType(), gaussian(loras * rank * hIn), loras, rank, hIn));
        c.tensors.put("indices", new Spec(DType.I32, adapters(batch, loras), batch));
        c.tensors.put("y", new Spec(DType.F32, gaussian(batch * rank), batch, rank));
        return c;
    }

    private FuzzCall bgmvExpand() {
        FuzzCall c = new FuzzCall(Kernel.BGMV_EXPAND);
        int batch = r.nextInt(6);
        int rank = r.nextInt(9);
        int hOut = r.nextInt(17);
        int loras = r.nextInt(4);
        int yRow = hOut + r.nextInt(5);
        c.offset = r.nextInt(yRow - hOut + 1);
        c.tensors.put("v", new Spec(floatType(), gaussian(batch * rank), batch, rank));
        c.tensors.put("w", new Spec(floatType(), gaussian(loras * hOut * rank), loras, hOut, rank));
        c.tensors.put("indices", new Spec(DType.I32, adapters(batch, loras), batch));
        c.tensors.put("y", new Spec(floatType(), gaussian(batch * yRow), batch, yRow));
        return c;
    }

    private FuzzCall matmul() {
        FuzzCall c = new FuzzCall(Kernel.MATMUL);
        int m = r.nextInt(7);
        int k = r.nextInt(25);
        int n = r.nextInt(13);
        c.tensors.put("x", new Spec(floatType(), gaussian(m * k), m, k));
        c.tensors.put("weight", new Spec(floatType(), gaussian(n * k), n, k));
        c.tensors.put("bias", new Spec(r.nextBoolean() ? DType.F32 : null, gaussian(n), n));
        c.tensors.put("out", new Spec(DType.F32, gaussian(m * n), m, n));
        return c;
    }

    private FuzzCall rmsNorm() {
        FuzzCall c = new FuzzCall(Kernel.RMS_NORM);
        int rows = r.nextInt(5);
        int hidden = 1 + r.nextInt(40);
        c.tensors.put("x", new Spec(DType.F32, gaussian(rows * hidden), rows, hidden));
        c.tensors.put("residual", new Spec(r.nextBoolean() ? DType.F32 : null, gaussian(rows * hidden), rows, hidden));
        c.tensors.put("weight", new Spec(DType.F32, gaussian(hidden), hidden));
        c.tensors.put("out", new Spec(DType.F32, gaussian(rows * hidden), rows, hidden));
        c.scale = r.nextBoolean() ? 1e-6f : 1e-5f;
        return c;
    }

    private FuzzCall siluMul() {
        FuzzCall c = new FuzzCall(Kernel.SILU_MUL);
        int rows = r.nextInt(5);
        int inter = 1 + r.nextInt(40);
        c.tensors.put("gateUp", new Spec(DType.F32, gaussian(rows * 2 * inter), rows, 2 * inter));
        c.tensors.put("out", new Spec(DType.F32, gaussian(rows * inter), rows, inter));
        return c;
    }

    private FuzzCall embedding() {
        FuzzCall c = new FuzzCall(Kernel.EMBEDDING);
        int vocab = 1 + r.nextInt(9);
        int hidden = r.nextInt(30);
        int rows = r.nextInt(6);
        double[] ids = new double[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = r.nextInt(vocab);
        }
        c.tensors.put("table", new Spec(floatType(), gaussian(vocab * hidden), vocab, hidden));
        c.tensors.put("ids", new Spec(DType.I32, ids, rows));
        c.tensors.put("out", new Spec(DType.F32, gaussian(rows * hidden), rows, hidden));
        return c;
    }

    // ---- corruptions ----

    private void corrupt(FuzzCall c) {
        List<String> names = new ArrayList<>(c.tensors.keySet());
        String name = names.get(r.nextInt(names.size()));
        Spec s = c.spec(name);
        int kind = r.nextInt(8);
        if (kind == 0 && s.dtype != null && s.shape.length > 0) {
            int d = r.nextInt(s.shape.length);
            long was = s.shape[d];
            long[] choices = {0, was - 1, was + 1, r.nextInt(2 * (int) Math.min(was, 8) + 3)};
            s.shape[d] = Math.max(0, choices[r.nextInt(choices.length)]);
            c.corruptions.add(name + " dim " + d + " " + was + " -> " + s.shape[d]);
        } else if (kind == 1 && s.dtype != null) {
            DType was = s.dtype;
            s.dtype = ALL[r.nextInt(ALL.length)];
            c.corruptions.add(name + " dtype " + was + " -> " + s.dtype);
        } else if (kind == 2 && s.dtype != null) {
            boolean add = s.shape.length == 0 || r.nextBoolean();
            long[] shape = new long[s.shape.length + (add ? 1 : -1)];
            System.arraycopy(s.shape, 0, shape, 0, Math.min(shape.length, s.shape.length));
            if (add) {
                shape[shape.length - 1] = 1 + r.nextInt(2);
            }
            s.shape = shape;
            c.corruptions.add(name + " rank -> " + shape.length);
        } else if (kind == 3) {
            s.dtype = null;
            c.corruptions.add(name + " null");
        } else if (kind == 4 && s.dtype != null) {
            s.closed = true;
            c.corruptions.add(name + " closed");
        } else if (kind == 5 && s.dtype == DType.I32 && s.values.length > 0) {
            int i = r.nextInt(s.values.length);
            double was = s.values[i];
            double[] choices = {-2, -1, 0, was - 1, was + 1, was + 2 + r.nextInt(20), Integer.MIN_VALUE,
                Integer.MAX_VALUE, -1 - r.nextInt(1 << 20)};
            s.values[i] = choices[r.nextInt(choices.length)];
            c.corruptions.add(name + " entry " + i + " " + (long) was + " -> " + (long) s.values[i]);
        } else if (kind == 6 && c.kernel == Kernel.CONTRASTIVE && s.dtype != null && s.dtype != DType.I32
                && s.values.length > 0 && name.equals(r.nextBoolean() ? "expert" : "base")) {
            int i = r.nextInt(s.values.length);
            s.values[i] = Double.NaN;
            c.corruptions.add(name + " entry " + i + " NaN");
        } else {
            corruptScalar(c);
        }
    }

    private void corruptScalar(FuzzCall c) {
        float[] floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -1f, 1.5f, -0.5f};
        int[] ints = {-3, -2, -1, 0, 1, 2, 3, 7, 64, Integer.MAX_VALUE, Integer.MIN_VALUE};
        long[] longs = {-1, 0, 1, 2, 5, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE + 1L};
        switch (c.kernel) {
            case ATTENTION, ROPE -> {
                if (r.nextBoolean()) {
                    c.rotaryDim = ints[r.nextInt(ints.length)];
                    c.corruptions.add("rotaryDim -> " + c.rotaryDim);
                } else if (r.nextBoolean() || c.kernel == Kernel.ROPE) {
                    c.style = r.nextInt(5) == 0 ? null : RopeStyle.values()[r.nextInt(3)];
                    c.corruptions.add("style -> " + c.style);
                } else {
                    c.scale = floats[r.nextInt(floats.length)];
                    c.corruptions.add("scale -> " + c.scale);
                }
            }
            case CONTRASTIVE -> {
                switch (r.nextInt(6)) {
                    case 0 -> c.alpha = floats[r.nextInt(floats.length)];
                    case 1 -> c.beta = floats[r.nextInt(floats.length)];
                    case 2 -> c.temperature = floats[r.nextInt(floats.length)];
                    case 3 -> c.seeds = new long[r.nextInt(6)];
                    case 4 -> c.expertFirstRow = longs[r.nextInt(longs.length)];
                    default -> c.baseRowStride = longs[r.nextInt(longs.length)];
                }
                c.corruptions.add("scalars -> alpha " + c.alpha + " beta " + c.beta + " temperature " + c.temperature
                        + " seeds " + (c.seeds == null ? null : c.seeds.length) + " expertFirstRow "
                        + c.expertFirstRow + " baseRowStride " + c.baseRowStride);
            }
            case BGMV_SHRINK, RMS_NORM -> {
                c.scale = floats[r.nextInt(floats.length)];
                c.corruptions.add("scale -> " + c.scale);
            }
            case BGMV_EXPAND -> {
                c.offset = ints[r.nextInt(ints.length)];
                c.corruptions.add("offset -> " + c.offset);
            }
            default -> {
                // matmul, siluMul and embedding have no scalar: null an argument instead.
                String name = new ArrayList<>(c.tensors.keySet()).get(r.nextInt(c.tensors.size()));
                c.spec(name).dtype = null;
                c.corruptions.add(name + " null");
            }
        }
    }

    // ---- contents ----

    private DType floatType() {
        return FLOATS[r.nextInt(FLOATS.length)];
    }

    private double[] gaussian(long n) {
        double[] a = new double[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextGaussian();
        }
        return a;
    }

    /** Values in [-1, 1], like cos and sin. */
    private double[] unit(long n) {
        double[] a = new double[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = 2 * r.nextDouble() - 1;
        }
        return a;
    }

    /** Logits around 3 sigma, with an occasional -inf (a masked token). */
    private double[] logits(long n) {
        double[] a = new double[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(20) == 0 ? Double.NEGATIVE_INFINITY : 3 * r.nextGaussian();
        }
        return a;
    }

    /** Slots in [-1, numSlots), repeats allowed (the later token wins). */
    private double[] slots(int numTokens, int numSlots) {
        double[] a = new double[numTokens];
        for (int i = 0; i < numTokens; i++) {
            a[i] = r.nextInt(numSlots + 1) - 1;
        }
        return a;
    }

    /** Adapter indices in [-1, numLoras). */
    private double[] adapters(int batch, int loras) {
        double[] a = new double[batch];
        for (int i = 0; i < batch; i++) {
            a[i] = r.nextInt(loras + 1) - 1;
        }
        return a;
    }

    private static double[] toDoubles(int[] v) {
        double[] a = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            a[i] = v[i];
        }
        return a;
    }
}
