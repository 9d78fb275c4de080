package dev.npukit.serving.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.npukit.mepic.ChunkId;
import dev.npukit.tensor.DType;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/** Deterministic chunk KV for the store's tests: the same seed gives the same key and bytes in any JVM. */
final class Chunks {
    static final String MODEL = "sha256:test-model-a";
    static final int BLOCK = 16;

    private Chunks() {
    }

    static ChunkKey key(String model, DType dtype, long seed) {
        return new ChunkKey(model, dtype, BLOCK, 0, 2, ChunkId.ofPadded(new int[] {(int) seed, (int) (seed >>> 32), 7}));
    }

    static ChunkKey key(long seed) {
        return key(MODEL, DType.F16, seed);
    }

    /** A chunk of {@code blocks} blocks, 2 KV heads of dim 8, with random payload bytes. */
    static ChunkKv random(ChunkKey key, int blocks, long seed) {
        int bytes = ChunkKv.payloadBytes(key, blocks, 2, 8);
        byte[] b = new byte[bytes];
        SplittableRandom r = new SplittableRandom(seed * 31 + 17);
        for (int i = 0; i < bytes; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < bytes; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return ChunkKv.copyOf(key, blocks, 2, 8, ByteBuffer.wrap(b));
    }

    static ChunkKv random(long seed) {
        return random(key(seed), 3, seed);
    }

    static void assertSameKv(ChunkKv expected, ChunkKv actual) {
        assertNotNull(actual, "expected an entry of " + expected.key());
        assertEquals(expected.key(), actual.key());
        assertEquals(expected.numBlocks(), actual.numBlocks());
        assertEquals(expected.numKvHeads(), actual.numKvHeads());
        assertEquals(expected.headDim(), actual.headDim());
        assertEquals(expected.payload(), actual.payload(), "payload bytes differ");
    }
}
