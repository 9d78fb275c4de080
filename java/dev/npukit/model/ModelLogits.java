package dev.npukit.model;

import dev.npukit.cold.LogitsModel;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The model as CoLD's {@link LogitsModel}: every row is one sequence with its own blocks of a
 * private paged cache, so an expert row (its adapter) and a base row (-1) of the same request keep
 * separate K/V, and all rows of a step run in one {@link LlamaModel#forward} batch.
 */
public final class ModelLogits implements LogitsModel, AutoCloseable {
    private static final class Sequence {
        final List<Integer> blocks = new ArrayList<>();
        int length;
    }

    private final LlamaModel model;
    private final PagedKvCache cache;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final Map<Long, Sequence> sequences = new HashMap<>();

    /**
     * Logits of a model over a private F32 paged cache.
     *
     * @param model the model, not closed by this object
     * @param numBlocks blocks of the cache, shared by all live sequences
     * @param blockSize token slots per block
     * @throws IllegalArgumentException if model is null or a size is not positive
     */
    public ModelLogits(LlamaModel model, int numBlocks, int blockSize) {
        Check.arg(model != null, "model", "is null");
        this.model = model;
        this.cache = model.newCache(numBlocks, blockSize, DType.F32);
        for (int b = 0; b < numBlocks; b++) {
            free.add(b);
        }
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public Tensor logits(List<Row> rows) {
        Check.arg(rows != null && !rows.isEmpty(), "rows", "needs at least one row");
        int bs = cache.blockSize();
        List<LlamaModel.Span> spans = new ArrayList<>(rows.size());
        List<Integer> taken = new ArrayList<>();
        try {
            for (Row r : rows) {
                Check.arg(r != null && r.newTokens() != null && r.newTokens().length > 0, "rows",
                        "a row is null or has no tokens");
                Sequence s = sequences.get(r.sequenceId());
                int length = s == null ? 0 : s.length;
                List<Integer> blocks = s == null ? new ArrayList<>() : new ArrayList<>(s.blocks);
                int end = length + r.newTokens().length;
                while ((long) blocks.size() * bs < end) {
                    Integer b = free.poll();
                    if (b == null) {
                        throw new IllegalStateException("KV cache full: " + cache.numBlocks() + " blocks of " + bs
                                + " tokens are all in use");
                    }
                    taken.add(b);
                    blocks.add(b);
                }
                spans.add(new LlamaModel.Span(blocks.stream().mapToInt(Integer::intValue).toArray(), length,
                        r.newTokens(), r.adapter(), true, true));
            }
            Tensor out = model.forward(cache, spans);
            // Committed only after the forward succeeded, so a failed step leaves every sequence as it was.
            for (int i = 0; i < rows.size(); i++) {
                Sequence s = sequences.computeIfAbsent(rows.get(i).sequenceId(), id -> new Sequence());
                int[] table = spans.get(i).blockTable();
                for (int b = s.blocks.size(); b < table.length; b++) {
                    s.blocks.add(table[b]);
                }
                s.length += rows.get(i).newTokens().length;
            }
            return out;
        } catch (RuntimeException e) {
            free.addAll(taken);
            throw e;
        }
    }

    @Override
    public void release(long sequenceId) {
        Sequence s = sequences.remove(sequenceId);
        if (s != null) {
            free.addAll(s.blocks);
        }
    }

    /**
     * Blocks currently held by live sequences.
     *
     * @return blocks not free, in [0, numBlocks]
     */
    public int blocksInUse() {
        return cache.numBlocks() - free.size();
    }

    @Override
    public void close() {
        cache.close();
    }
}
