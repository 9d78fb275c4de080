package dev.npukit.mepic;

/**
 * A full block's key in the prefix cache: 128 bits that chain the keys of all earlier blocks with this
 * block's content, so equal keys mean equal token prefixes (vLLM's hash chain). The content of a chunk block
 * is its chunk's SHA-256 and its index in the chunk, which avoids hashing a chunk's tokens twice; a prompt
 * block's content is a 128-bit hash of its tokens. Two independent 64-bit mixes make an accidental collision
 * about as likely as in a 128-bit hash; unlike chunk identity this is not meant to resist a chosen collision.
 */
record BlockKey(long hi, long lo) {
    static final BlockKey ROOT = new BlockKey(0x6a09e667f3bcc908L, 0xbb67ae8584caa73bL);

    private static final long K1 = 0x9e3779b97f4a7c15L;
    private static final long K2 = 0xc2b2ae3d27d4eb4fL;

    BlockKey chainChunkBlock(ChunkId id, int indexInChunk) {
        long c1 = mix(id.w0() ^ mix(id.w2() + indexInChunk * K1));
        long c2 = mix(id.w1() ^ mix(id.w3() + indexInChunk * K2 + 1));
        return chain(c1, c2);
    }

    BlockKey chainPromptBlock(int[] tokens, int from, int to) {
        long h1 = 0x3c6ef372fe94f82bL;
        long h2 = 0xa54ff53a5f1d36f1L;
        for (int i = from; i < to; i++) {
            h1 = mix(h1 ^ (tokens[i] * K1));
            h2 = mix(h2 + (tokens[i] ^ K2));
        }
        return chain(h1, h2);
    }

    private BlockKey chain(long c1, long c2) {
        return new BlockKey(mix(hi * K1 ^ c1), mix(lo * K2 + c2 + 0x7f4a7c15L));
    }

    /** MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit over the output. */
    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xff51afd7ed558ccdL;
        k ^= k >>> 33;
        k *= 0xc4ceb9fe1a85ec53L;
        k ^= k >>> 33;
        return k;
    }
}
