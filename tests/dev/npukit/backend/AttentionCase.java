package dev.npukit.backend;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A randomized paged-attention problem held in Java arrays, so the same case can be put on any
 * backend. Block ids are shuffled (non-contiguous), sequence lengths are arbitrary, and each
 * sequence is either a decode (1 query row) or a prefill / chunked prefill (several rows). The
 * cache arrays are in the case's layout.
 */
final class AttentionCase {
    final int numSeqs;
    final int numHeads;
    final int numKvHeads;
    final int headDim;
    final int blockSize;
    final int numBlocks;
    final int maxBlocksPerSeq;
    final int rotaryDim;
    final int maxPosition;
    final DType cacheDtype;
    final DType qDtype;
    final RopeStyle style;
    final KvLayout layout;
    final int[] seqLens;
    final int[] queryStartLoc;
    final int[] blockTables;
    final float[] q;
    final float[] kCache;
    final float[] vCache;
    final float[] cosSin;

    AttentionCase(long seed, int numSeqs, int numKvHeads, int groupSize, int headDim, int blockSize,
            int maxSeqLen, DType cacheDtype, RopeStyle style, int rotaryDim) {
        this(seed, numSeqs, numKvHeads, groupSize, headDim, blockSize, maxSeqLen, cacheDtype, style, rotaryDim,
                KvLayout.NHD);
    }

    AttentionCase(long seed, int numSeqs, int numKvHeads, int groupSize, int headDim, int blockSize,
            int maxSeqLen, DType cacheDtype, RopeStyle style, int rotaryDim, KvLayout layout) {
        Random r = new Random(seed);
        this.layout = layout;
        this.numSeqs = numSeqs;
        this.numKvHeads = numKvHeads;
        this.numHeads = numKvHeads * groupSize;
        this.headDim = headDim;
        this.blockSize = blockSize;
        this.cacheDtype = cacheDtype;
        this.qDtype = DType.F32;
        this.style = style;
        this.rotaryDim = rotaryDim;
        this.seqLens = new int[numSeqs];
        this.queryStartLoc = new int[numSeqs + 1];
        int maxBlocks = 1;
        for (int s = 0; s < numSeqs; s++) {
            seqLens[s] = 1 + r.nextInt(maxSeqLen);
            int qLen = r.nextBoolean() ? 1 : 1 + r.nextInt(Math.min(seqLens[s], 24));
            queryStartLoc[s + 1] = queryStartLoc[s] + qLen;
            maxBlocks = Math.max(maxBlocks, (seqLens[s] + blockSize - 1) / blockSize);
        }
        this.maxBlocksPerSeq = maxBlocks + r.nextInt(2);
        int needed = 0;
        for (int len : seqLens) {
            needed += (len + blockSize - 1) / blockSize;
        }
        this.numBlocks = needed + 1 + r.nextInt(4);
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < numBlocks; i++) {
            ids.add(i);
        }
        Collections.shuffle(ids, r);
        this.blockTables = new int[numSeqs * maxBlocksPerSeq];
        int next = 0;
        for (int s = 0; s < numSeqs; s++) {
            int used = (seqLens[s] + blockSize - 1) / blockSize;
            for (int b = 0; b < maxBlocksPerSeq; b++) {
                // Unused entries hold garbage on purpose: the kernels must not read them.
                blockTables[s * maxBlocksPerSeq + b] = b < used ? ids.get(next++) : -7 - r.nextInt(100);
            }
        }
        int numTokens = queryStartLoc[numSeqs];
        this.q = gaussian(r, numTokens * numHeads * headDim);
        this.kCache = gaussian(r, numBlocks * blockSize * numKvHeads * headDim);
        this.vCache = gaussian(r, numBlocks * blockSize * numKvHeads * headDim);
        this.maxPosition = maxSeqLen + r.nextInt(8);
        this.cosSin = RopeTables.cosSin(maxPosition, rotaryDim, 10000.0);
    }

    int numTokens() {
        return queryStartLoc[numSeqs];
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    /** The tensors of this case on one backend; close them with {@link #close()}. */
    final class On implements AutoCloseable {
        final Backend backend;
        final Tensor qT;
        final Tensor kT;
        final Tensor vT;
        final Tensor tablesT;
        final Tensor lensT;
        final Tensor startsT;
        final Tensor cosSinT;
        final Tensor outT;

        On(Backend b) {
            backend = b;
            qT = b.fromFloats(qDtype, q, numTokens(), numHeads, headDim);
            kT = b.fromFloats(cacheDtype, kCache, layout.shape(numBlocks, blockSize, numKvHeads, headDim));
            vT = b.fromFloats(cacheDtype, vCache, layout.shape(numBlocks, blockSize, numKvHeads, headDim));
            tablesT = b.fromInts(blockTables, numSeqs, maxBlocksPerSeq);
            lensT = b.fromInts(seqLens, numSeqs);
            startsT = b.fromInts(queryStartLoc, numSeqs + 1);
            cosSinT = b.fromFloats(DType.F32, cosSin, maxPosition, rotaryDim);
            outT = b.allocate(DType.F32, numTokens(), numHeads, headDim);
        }

        AttentionArgs.Builder args() {
            return AttentionArgs.builder().q(qT).kvCache(kT, vT).kvLayout(layout).blockTables(tablesT).seqLens(lensT)
                    .queryStartLoc(startsT).rope(style, cosSinT).rotaryDim(rotaryDim).out(outT);
        }

        float[] run() {
            backend.pagedAttention(args().build());
            return outT.toFloatArray();
        }

        @Override
        public void close() {
            for (Tensor t : new Tensor[] {qT, kT, vT, tablesT, lensT, startsT, cosSinT, outT}) {
                t.close();
            }
        }
    }

    On on(Backend b) {
        return new On(b);
    }

    @Override
    public String toString() {
        return String.format("seqs=%d heads=%d/%d dim=%d block=%d cache=%s %s rope=%s rot=%d lens=%s", numSeqs,
                numHeads, numKvHeads, headDim, blockSize, cacheDtype, layout, style, rotaryDim,
                java.util.Arrays.toString(seqLens));
    }
}
