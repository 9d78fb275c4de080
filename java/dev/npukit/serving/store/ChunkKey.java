package dev.npukit.serving.store;

import dev.npukit.mepic.ChunkId;
import dev.npukit.tensor.DType;
import dev.npukit.util.Check;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * What a stored chunk KV entry is the KV of. Every field takes part in the entry's name and is echoed in its
 * header, so an entry of another model, dtype, block size or layer range is never read as this one's.
 *
 * @param model the model fingerprint ({@link ModelFingerprint}): config and weights identity
 * @param dtype the element type of the stored K and V
 * @param blockSize tokens per KV block of the padded chunk
 * @param firstLayer first decoder layer held
 * @param endLayer one past the last decoder layer held
 * @param chunk the chunk: SHA-256 of its padded token sequence
 */
public record ChunkKey(String model, DType dtype, int blockSize, int firstLayer, int endLayer, ChunkId chunk) {
    /** Longest model fingerprint, in UTF-8 bytes (it is echoed in every entry's header). */
    public static final int MAX_MODEL_BYTES = 1024;

    /**
     * Checks the fields.
     *
     * @param model the model fingerprint
     * @param dtype the element type of the stored K and V
     * @param blockSize tokens per KV block
     * @param firstLayer first decoder layer held
     * @param endLayer one past the last decoder layer held
     * @param chunk the chunk id
     * @throws IllegalArgumentException if {@code model} is null, empty or longer than {@value #MAX_MODEL_BYTES}
     *     UTF-8 bytes, {@code dtype} is not F32, F16 or BF16, {@code blockSize} is not positive, the layer range is
     *     empty or outside [0, 65535], or {@code chunk} is null
     */
    public ChunkKey {
        Check.arg(model != null && !model.isEmpty()
                && model.getBytes(StandardCharsets.UTF_8).length <= MAX_MODEL_BYTES, "model",
                "must be a non-empty fingerprint of at most %d UTF-8 bytes", MAX_MODEL_BYTES);
        Check.arg(dtype != null && dtype.isFloat(), "dtype", "must be F32, F16 or BF16, got %s", dtype);
        Check.arg(blockSize > 0, "blockSize", "is %d, must be positive", blockSize);
        Check.arg(firstLayer >= 0 && endLayer > firstLayer && endLayer <= 0xffff, "endLayer",
                "layer range [%d, %d) must be non-empty, within [0, 65535]", firstLayer, endLayer);
        Check.arg(chunk != null, "chunk", "is null");
    }

    /**
     * The number of layers held.
     *
     * @return {@code endLayer - firstLayer}, &gt;= 1
     */
    public int numLayers() {
        return endLayer - firstLayer;
    }

    /**
     * The same key for another chunk.
     *
     * @param id the other chunk
     * @return a key with this key's model, dtype, block size and layers, and chunk {@code id}
     * @throws IllegalArgumentException if {@code id} is null
     */
    public ChunkKey withChunk(ChunkId id) {
        return new ChunkKey(model, dtype, blockSize, firstLayer, endLayer, id);
    }

    /**
     * The entry's content address: hex SHA-256 over every field. Used as the disk tier's file name and in the
     * Redis key, so the name alone already separates models, dtypes, block sizes and layer ranges.
     *
     * @return 64 lowercase hex digits
     */
    public String address() {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
        byte[] m = model.getBytes(StandardCharsets.UTF_8);
        md.update(intBytes(m.length));
        md.update(m);
        md.update(intBytes(dtype.code()));
        md.update(intBytes(blockSize));
        md.update(intBytes(firstLayer));
        md.update(intBytes(endLayer));
        md.update(chunkBytes(chunk));
        return HexFormat.of().formatHex(md.digest());
    }

    static byte[] chunkBytes(ChunkId id) {
        byte[] b = new byte[32];
        long[] w = {id.w0(), id.w1(), id.w2(), id.w3()};
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
                b[i * 8 + j] = (byte) (w[i] >>> (56 - 8 * j));
            }
        }
        return b;
    }

    static ChunkId chunkOf(byte[] b) {
        long[] w = new long[4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 8; j++) {
                w[i] = (w[i] << 8) | (b[i * 8 + j] & 0xffL);
            }
        }
        return new ChunkId(w[0], w[1], w[2], w[3]);
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
