package dev.npukit.cli;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The paged-attention calls of one {@code bench attention} shape: {@code seqs} sequences of {@code rows} random
 * query rows, each the last rows of a context of {@code len} slots over the given block ids, one call per layout and
 * rope style (layout-major, in the order given). Every layout views the same cache memory in its own shape: the
 * values are random, so a view of them in another order is as good a cache, and variants timed in turns read the
 * same bytes. Closing frees the queries, the output, the metadata and the views (not the cache).
 */
final class AttentionBenchCalls implements AutoCloseable {
    private final List<Tensor> owned = new ArrayList<>();
    private final Runnable[] calls;

    AttentionBenchCalls(Backend b, Tensor k, Tensor v, Tensor cosSin, List<Integer> ids, int seqs, int rows, int len,
            int blocksPerSeq, int heads, int kvHeads, int headDim, int blockSize, KvLayout[] layouts,
            RopeStyle[] styles, long seed) {
        int[] table = new int[seqs * blocksPerSeq];
        for (int i = 0; i < table.length; i++) {
            table[i] = ids.get(i);
        }
        int[] lens = new int[seqs];
        int[] starts = new int[seqs + 1];
        for (int s = 0; s < seqs; s++) {
            lens[s] = len;
            starts[s + 1] = (s + 1) * rows;
        }
        float[] qData = new float[seqs * rows * heads * headDim];
        Random r = new Random(seed);
        for (int i = 0; i < qData.length; i++) {
            qData[i] = (float) r.nextGaussian();
        }
        try {
            Tensor q = own(b.fromFloats(DType.F32, qData, seqs * rows, heads, headDim));
            Tensor out = own(b.allocate(DType.F32, seqs * rows, heads, headDim));
            Tensor tables = own(b.fromInts(table, seqs, blocksPerSeq));
            Tensor seqLens = own(b.fromInts(lens, seqs));
            Tensor queryStart = own(b.fromInts(starts, seqs + 1));
            calls = new Runnable[layouts.length * styles.length];
            for (int l = 0; l < layouts.length; l++) {
                long[] shape = layouts[l].shape(k.dim(0), blockSize, kvHeads, headDim);
                Tensor kl = own(k.view(0, shape));
                Tensor vl = own(v.view(0, shape));
                AttentionArgs.Builder common = AttentionArgs.builder().q(q).kvCache(kl, vl).kvLayout(layouts[l])
                        .blockTables(tables).seqLens(seqLens).queryStartLoc(queryStart).out(out);
                for (int i = 0; i < styles.length; i++) {
                    AttentionArgs args = common.rope(styles[i], cosSin).build();
                    calls[l * styles.length + i] = () -> b.pagedAttention(args);
                }
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /** The calls, layout-major: call {@code l * styles + i} is layout l with rope style i. */
    Runnable[] calls() {
        return calls.clone();
    }

    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        owned.clear();
    }
}
