package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Paged attention over a shuffled (non-contiguous) block table whose unused entries hold garbage:
 * decode rows (qLen 1), prefill rows (qLen > 1) and skipped sequences (qLen 0, some with seqLen 0)
 * in one call; at the default scale 1/sqrt(headDim) or, in an edge case, at a scale of its own.
 * The caches take the NHD layout or, in cases named "layout=HND", the HND layout with the same
 * values at the same (block, slot, head): such a case computes what its NHD twin (same seed and
 * shapes) computes.
 */
final class AttentionCase extends KernelCase {
    private final int numKvHeads;
    private final int numHeads;
    private final int headDim;
    private final int blockSize;
    private final int rotaryDim;
    private final RopeStyle style;
    private final DType cacheType;
    private final DType qType;
    private final DType outType;
    private final int[] seqLens;
    private final int[] queryStartLoc;
    private final float scale;
    private final KvLayout layout;

    /** seqLens[s] and qLens[s] per sequence; qLens[s] <= seqLens[s]; the default scale. */
    AttentionCase(int index, long seed, int numKvHeads, int group, int headDim, int blockSize, RopeStyle style,
            int rotaryDim, DType cacheType, DType qType, DType outType, int[] seqLens, int[] qLens) {
        this(index, seed, null, (float) (1.0 / Math.sqrt(headDim)), numKvHeads, group, headDim, blockSize, style,
                rotaryDim, cacheType, qType, outType, seqLens, qLens, KvLayout.NHD);
    }

    /** As the default-scale constructor, over caches in {@code layout}. */
    AttentionCase(int index, long seed, int numKvHeads, int group, int headDim, int blockSize, RopeStyle style,
            int rotaryDim, DType cacheType, DType qType, DType outType, int[] seqLens, int[] qLens, KvLayout layout) {
        this(index, seed, null, (float) (1.0 / Math.sqrt(headDim)), numKvHeads, group, headDim, blockSize, style,
                rotaryDim, cacheType, qType, outType, seqLens, qLens, layout);
    }

    /**
     * An edge case ({@code edge} names what it exercises, {@code scale} is the softmax scale), or
     * with {@code edge} null a case at {@code scale}; caches in {@code layout}.
     */
    AttentionCase(int index, long seed, String edge, float scale, int numKvHeads, int group, int headDim,
            int blockSize, RopeStyle style, int rotaryDim, DType cacheType, DType qType, DType outType,
            int[] seqLens, int[] qLens, KvLayout layout) {
        super("attention", index, seed, loosest(cacheType, qType, outType),
                reductionBound(loosest(cacheType, qType, outType)),
                String.format("%s%scache=%s q=%s out=%s %s rot=%d/%d block=%d heads=%d/%d lens=%s qlens=%s",
                        edge == null ? "" : "edge=" + edge + " scale=" + scale + " ",
                        layout == KvLayout.NHD ? "" : "layout=" + layout + " ", cacheType, qType, outType,
                        style, rotaryDim, headDim, blockSize, numKvHeads * group, numKvHeads,
                        Arrays.toString(seqLens).replace(" ", ""), Arrays.toString(qLens).replace(" ", "")));
        this.scale = scale;
        this.layout = layout;
        this.numKvHeads = numKvHeads;
        this.numHeads = numKvHeads * group;
        this.headDim = headDim;
        this.blockSize = blockSize;
        this.style = style;
        this.rotaryDim = rotaryDim;
        this.cacheType = cacheType;
        this.qType = qType;
        this.outType = outType;
        this.seqLens = seqLens.clone();
        this.queryStartLoc = new int[seqLens.length + 1];
        for (int s = 0; s < seqLens.length; s++) {
            queryStartLoc[s + 1] = queryStartLoc[s] + qLens[s];
        }
    }

    private static int blocksOf(int len, int blockSize) {
        return (len + blockSize - 1) / blockSize;
    }

    @Override
    public DType outputType(String output) {
        return outType;
    }

    @Override
    public Map<String, float[]> run(Backend b) {
        return run(b, false);
    }

    /** The values made non-negative: the softmax weights already are. */
    @Override
    public Map<String, float[]> termMagnitudes(Backend reference) {
        return run(reference, true);
    }

    private Map<String, float[]> run(Backend b, boolean absoluteValues) {
        Random r = new Random(seed());
        int numSeqs = seqLens.length;
        int maxBlocks = 1;
        int needed = 0;
        int maxLen = 1;
        for (int len : seqLens) {
            maxBlocks = Math.max(maxBlocks, blocksOf(len, blockSize));
            needed += blocksOf(len, blockSize);
            maxLen = Math.max(maxLen, len);
        }
        int maxBlocksPerSeq = maxBlocks + r.nextInt(2);
        int numBlocks = needed + 1 + r.nextInt(3);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < numBlocks; i++) {
            ids.add(i);
        }
        Collections.shuffle(ids, r);
        int[] tables = new int[numSeqs * maxBlocksPerSeq];
        int next = 0;
        for (int s = 0; s < numSeqs; s++) {
            int used = blocksOf(seqLens[s], blockSize);
            for (int j = 0; j < maxBlocksPerSeq; j++) {
                // Entries past a sequence's length hold garbage on purpose: no kernel may read them.
                tables[s * maxBlocksPerSeq + j] = j < used ? ids.get(next++) : -7 - r.nextInt(100);
            }
        }
        int numTokens = queryStartLoc[numSeqs];
        int cacheLen = numBlocks * blockSize * numKvHeads * headDim;
        float[] q = Inputs.gaussian(r, numTokens * numHeads * headDim);
        float[] k = Inputs.inLayout(Inputs.gaussian(r, cacheLen), layout, numBlocks, blockSize, numKvHeads, headDim);
        float[] v = Inputs.inLayout(Inputs.gaussian(r, cacheLen), layout, numBlocks, blockSize, numKvHeads, headDim);
        if (absoluteValues) {
            v = Inputs.abs(v);
        }
        long[] cacheShape = layout.shape(numBlocks, blockSize, numKvHeads, headDim);
        int maxPosition = maxLen + r.nextInt(8);
        float[] cosSin = RopeTables.cosSin(maxPosition, rotaryDim, 10000.0);
        try (Tensor qT = b.fromFloats(qType, q, numTokens, numHeads, headDim);
                Tensor kT = b.fromFloats(cacheType, k, cacheShape);
                Tensor vT = b.fromFloats(cacheType, v, cacheShape);
                Tensor tablesT = b.fromInts(tables, numSeqs, maxBlocksPerSeq);
                Tensor lensT = b.fromInts(seqLens, numSeqs);
                Tensor startsT = b.fromInts(queryStartLoc, numSeqs + 1);
                Tensor cosSinT = b.fromFloats(DType.F32, cosSin, maxPosition, rotaryDim);
                Tensor outT = b.allocate(outType, numTokens, numHeads, headDim)) {
            b.pagedAttention(AttentionArgs.builder().q(qT).kvCache(kT, vT).kvLayout(layout).blockTables(tablesT)
                    .seqLens(lensT)
                    .queryStartLoc(startsT).rope(style, cosSinT).rotaryDim(rotaryDim).scale(scale).out(outT).build());
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("out", outT.toFloatArray());
            return out;
        }
    }
}
