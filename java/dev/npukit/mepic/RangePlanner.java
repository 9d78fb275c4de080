package dev.npukit.mepic;

import static dev.npukit.mepic.BlockSource.CHUNK_LOADED_CODE;
import static dev.npukit.mepic.BlockSource.PRIVATE_CODE;

import java.util.ArrayList;
import java.util.List;

/**
 * What an admitted request computes and what it loads: splits the prefill blocks its plan fills into token
 * ranges of the padded sequence. A {@link BlockSource#CHUNK_LOADED} block is loaded whole. A private block is
 * computed, except the tokens of a chunk the store holds: those are loaded, outside the policy's recomputed
 * share of the chunk (a {@linkplain Policy#copiesChunks copying} policy) or outside its first block (a
 * {@linkplain Policy#sharesChunks sharing} policy, whose private block 2..n of a stored chunk follows a prefix
 * hit). Adjacent ranges are merged.
 */
final class RangePlanner {
    private final Policy policy;
    private final PaddedLayout layout;
    private final boolean[] segStored;
    private final List<TokenRange> computeRanges = new ArrayList<>();
    private final List<TokenRange> loadRanges = new ArrayList<>();
    private final RangeBuilder compute = new RangeBuilder(computeRanges);
    private final RangeBuilder load = new RangeBuilder(loadRanges);

    /**
     * Splits the prefill blocks of {@code layout} by their {@code sources} (codes of {@link BlockSource});
     * {@code segStored[s]} says whether chunk segment {@code s} is loaded from the store rather than computed.
     */
    RangePlanner(Policy policy, PaddedLayout layout, byte[] sources, boolean[] segStored) {
        this.policy = policy;
        this.layout = layout;
        this.segStored = segStored;
        for (int b = 0; b < layout.numBlocks(); b++) {
            int from = b * layout.blockSize;
            int to = Math.min(from + layout.blockSize, layout.length());
            if (sources[b] == CHUNK_LOADED_CODE) {
                load.add(from, to);
            } else if (sources[b] == PRIVATE_CODE) {
                addPrivateBlock(b, from, to);
            }
        }
        compute.close();
        load.close();
    }

    /** Token ranges whose KV the prefill computes, in order. */
    List<TokenRange> computeRanges() {
        return computeRanges;
    }

    /** Token ranges whose KV the engine copies from the chunk store, in order. */
    List<TokenRange> loadRanges() {
        return loadRanges;
    }

    private void addPrivateBlock(int b, int from, int to) {
        int s = layout.blockSeg[b];
        if (!segStored[s]) {
            compute.add(from, to);
        } else if (policy.copiesChunks()) {
            // The copy from the store fills the block; only the policy's share is recomputed.
            int first = layout.segStart[s] + layout.segPads[s];
            int last = first + policy.recomputedChunkTokens(layout.segmentEnd(s) - first);
            int rFrom = Math.max(from, first);
            int rTo = Math.min(to, last);
            if (rFrom < rTo) {
                load.add(from, rFrom);
                compute.add(rFrom, rTo);
                load.add(rTo, to);
            } else {
                load.add(from, to);
            }
        } else if (layout.blockIndexInSeg[b] == 0) {
            compute.add(from, to); // sharing: the first block of a reused chunk is recomputed
        } else {
            load.add(from, to); // sharing: a private copy after a prefix hit on the chunk's block 2
        }
    }

    /** Merges adjacent token ranges as they arrive in order. */
    private static final class RangeBuilder {
        private final List<TokenRange> out;
        private int open = -1;
        private int openEnd = -1;

        RangeBuilder(List<TokenRange> out) {
            this.out = out;
        }

        void add(int from, int to) {
            if (from >= to) {
                return;
            }
            if (from == openEnd) {
                openEnd = to;
                return;
            }
            close();
            open = from;
            openEnd = to;
        }

        void close() {
            if (open >= 0) {
                out.add(new TokenRange(open, openEnd));
                open = -1;
                openEnd = -1;
            }
        }
    }
}
