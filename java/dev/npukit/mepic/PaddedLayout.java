package dev.npukit.mepic;

import java.util.Arrays;
import java.util.List;

/**
 * The padded token sequence of a request and what each block of it holds. Pure computation, done outside
 * the cache manager's lock. Chunks get leading padding to a multiple of the block size and prompts trailing
 * padding, except a prompt that ends the request; so every chunk starts on a block boundary and its padded
 * tokens have one canonical layout whatever precedes it.
 */
final class PaddedLayout {
    final int blockSize;
    final int[] tokens;
    final int[] segStart;
    final int[] segPads;
    final ChunkId[] chunkIds;
    final int[] blockSeg;
    final int[] blockIndexInSeg;
    /** Chain keys of the full blocks; the last block, if partial, has none. */
    final BlockKey[] keys;

    PaddedLayout(List<Segment> segments, int blockSize, int padToken) {
        this.blockSize = blockSize;
        int n = segments.size();
        segStart = new int[n];
        segPads = new int[n];
        chunkIds = new ChunkId[n];
        int length = placeSegments(segments);
        tokens = new int[length];
        int numBlocks = (length + blockSize - 1) / blockSize;
        blockSeg = new int[numBlocks];
        blockIndexInSeg = new int[numBlocks];
        keys = new BlockKey[length / blockSize];
        BlockKey key = BlockKey.ROOT;
        for (int s = 0; s < n; s++) {
            Segment seg = segments.get(s);
            fillSegment(s, seg, padToken);
            key = indexBlocks(s, seg, key);
        }
    }

    /** Sets where each segment starts and how much padding it gets; returns the padded length. */
    private int placeSegments(List<Segment> segments) {
        int n = segments.size();
        int length = 0;
        for (int s = 0; s < n; s++) {
            Segment seg = segments.get(s);
            int rem = seg.length() % blockSize;
            int pads = rem == 0 || (!seg.isChunk() && s == n - 1) ? 0 : blockSize - rem;
            segStart[s] = length;
            segPads[s] = pads;
            length = Math.addExact(length, seg.length() + pads);
        }
        return length;
    }

    /** Writes segment {@code s}'s tokens and padding in place; a chunk also gets its identity. */
    private void fillSegment(int s, Segment seg, int padToken) {
        int start = segStart[s];
        int[] real = seg.tokensNoCopy();
        if (seg.isChunk()) {
            Arrays.fill(tokens, start, start + segPads[s], padToken);
            System.arraycopy(real, 0, tokens, start + segPads[s], real.length);
            chunkIds[s] = ChunkId.of(padToken, segPads[s], real);
        } else {
            System.arraycopy(real, 0, tokens, start, real.length);
            Arrays.fill(tokens, start + real.length, start + real.length + segPads[s], padToken);
        }
    }

    /**
     * Records which segment each block of segment {@code s} belongs to, and chains the keys of its full blocks
     * onto {@code key}, the key of the block before it; returns the last key.
     */
    private BlockKey indexBlocks(int s, Segment seg, BlockKey key) {
        int start = segStart[s];
        int end = start + seg.length() + segPads[s];
        for (int b = start / blockSize, j = 0; b * blockSize < end; b++, j++) {
            blockSeg[b] = s;
            blockIndexInSeg[b] = j;
            if (b < keys.length) {
                key = seg.isChunk()
                        ? key.chainChunkBlock(chunkIds[s], j)
                        : key.chainPromptBlock(tokens, b * blockSize, (b + 1) * blockSize);
                keys[b] = key;
            }
        }
        return key;
    }

    int length() {
        return tokens.length;
    }

    int numBlocks() {
        return blockSeg.length;
    }

    int segmentEnd(int s) {
        return s + 1 < segStart.length ? segStart[s + 1] : tokens.length;
    }

    /** Blocks the segment spans. */
    int segmentBlocks(int s) {
        return (segmentEnd(s) - segStart[s] + blockSize - 1) / blockSize;
    }
}
