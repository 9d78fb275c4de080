package dev.npukit.serving.store;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.util.Check;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A chunk's stored KV: the NoPE keys and values of every block of its padded chunk, for the layers of its
 * {@link ChunkKey}. The payload is little-endian elements of the key's dtype laid out
 * [block][layer][K, V][blockSize][numKvHeads][headDim]: one block of one layer is the keys then the values of
 * that block in the NHD order {@code PagedKvCache.readBlock} gives in either cache layout. Immutable: the payload is never written after
 * construction, so tiers and callers share one instance. Payloads live on the Java heap: direct buffers of this
 * size are freed only by a full collection, and allocating them at the rate chunks are loaded made every
 * allocation wait for one ({@code npukit bench chunk-store}: 0.1 GB/s memory put with direct buffers).
 */
public final class ChunkKv {
    private final ChunkKey key;
    private final int numBlocks;
    private final int numKvHeads;
    private final int headDim;
    private final ByteBuffer payload;

    private ChunkKv(ChunkKey key, int numBlocks, int numKvHeads, int headDim, ByteBuffer payload) {
        this.key = key;
        this.numBlocks = numBlocks;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.payload = payload.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The payload size in bytes of a chunk of {@code numBlocks} blocks:
     * {@code 2 * numBlocks * layers * blockSize * numKvHeads * headDim * dtype bytes}.
     *
     * @param key the chunk's key (layers, block size, dtype)
     * @param numBlocks KV blocks of the padded chunk, &gt; 0
     * @param numKvHeads KV heads per token, &gt; 0
     * @param headDim elements per head, &gt; 0
     * @return the payload size in bytes
     * @throws IllegalArgumentException if {@code key} is null, a size is not positive, or the payload would not fit
     *     one buffer (just under 2 GiB)
     */
    public static int payloadBytes(ChunkKey key, int numBlocks, int numKvHeads, int headDim) {
        Check.arg(key != null, "key", "is null");
        Check.arg(numBlocks > 0, "numBlocks", "is %d, must be positive", numBlocks);
        Check.arg(numKvHeads > 0, "numKvHeads", "is %d, must be positive", numKvHeads);
        Check.arg(headDim > 0, "headDim", "is %d, must be positive", headDim);
        long bytes = 2L * numBlocks * key.numLayers() * key.blockSize() * numKvHeads * headDim
                * key.dtype().byteSize();
        Check.arg(bytes <= ChunkCodec.MAX_PAYLOAD_BYTES, "numBlocks", "gives a payload of %d bytes, more than %d",
                bytes, ChunkCodec.MAX_PAYLOAD_BYTES);
        return (int) bytes;
    }

    /**
     * A chunk from a copy of {@code payload}'s remaining bytes (the layout above, little-endian); the caller keeps
     * its buffer, whose position is not moved.
     *
     * @param key the chunk's key
     * @param numBlocks KV blocks of the padded chunk, &gt; 0
     * @param numKvHeads KV heads per token, &gt; 0
     * @param headDim elements per head, &gt; 0
     * @param payload exactly {@link #payloadBytes} bytes remaining
     * @return the chunk, holding its own heap copy
     * @throws IllegalArgumentException on the conditions of {@link #payloadBytes}, or if {@code payload} is null or
     *     has another number of bytes remaining
     */
    public static ChunkKv copyOf(ChunkKey key, int numBlocks, int numKvHeads, int headDim, ByteBuffer payload) {
        int bytes = payloadBytes(key, numBlocks, numKvHeads, headDim);
        Check.arg(payload != null && payload.remaining() == bytes, "payload", "must hold %d bytes, has %s", bytes,
                payload == null ? "none" : payload.remaining());
        ByteBuffer copy = ByteBuffer.allocate(bytes);
        copy.put(payload.duplicate()).flip();
        return new ChunkKv(key, numBlocks, numKvHeads, headDim, copy);
    }

    /** A chunk over {@code payload} itself (no copy): for decoders that own the buffer and never write it again. */
    static ChunkKv wrap(ChunkKey key, int numBlocks, int numKvHeads, int headDim, ByteBuffer payload) {
        return new ChunkKv(key, numBlocks, numKvHeads, headDim, payload);
    }

    /**
     * A chunk from float blocks indexed [block][layer][0 = keys, 1 = values][blockSize * numKvHeads * headDim],
     * as {@code PagedKvCache.readBlock(layer, block)} returns them, converted to the key's dtype.
     *
     * @param key the chunk's key; its layer count must match {@code blocks}
     * @param numKvHeads KV heads per token, &gt; 0
     * @param headDim elements per head, &gt; 0
     * @param blocks one entry per block of the padded chunk, each with {@code key.numLayers()} layers of keys and
     *     values of {@code blockSize * numKvHeads * headDim} floats
     * @return the chunk
     * @throws IllegalArgumentException if {@code blocks} is null, empty or of another shape, or on the conditions of
     *     {@link #payloadBytes}
     */
    public static ChunkKv ofBlocks(ChunkKey key, int numKvHeads, int headDim, float[][][][] blocks) {
        Check.arg(blocks != null && blocks.length > 0, "blocks", "is null or empty");
        int bytes = payloadBytes(key, blocks.length, numKvHeads, headDim);
        int floats = key.blockSize() * numKvHeads * headDim;
        ByteBuffer out = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < blocks.length; b++) {
            Check.arg(blocks[b] != null && blocks[b].length == key.numLayers(), "blocks",
                    "block %d must hold %d layers", b, key.numLayers());
            for (int l = 0; l < key.numLayers(); l++) {
                float[][] kv = blocks[b][l];
                Check.arg(kv != null && kv.length == 2 && kv[0] != null && kv[1] != null && kv[0].length == floats
                        && kv[1].length == floats, "blocks", "block %d layer %d must be keys and values of %d floats",
                        b, l, floats);
                put(out, key.dtype(), kv[0]);
                put(out, key.dtype(), kv[1]);
            }
        }
        out.flip();
        return new ChunkKv(key, blocks.length, numKvHeads, headDim, out);
    }

    /**
     * Keys and values of one block of one layer, converted to floats.
     *
     * @param block the block, in [0, {@link #numBlocks()})
     * @param layer the layer counted from the key's first layer, in [0, {@code key().numLayers()})
     * @return {@code [0]} the keys and {@code [1]} the values, {@link #blockFloats()} floats each, NHD layout
     * @throws IllegalArgumentException if {@code block} or {@code layer} is out of range
     */
    public float[][] block(int block, int layer) {
        Check.arg(block >= 0 && block < numBlocks, "block", "is %d, outside [0, %d)", block, numBlocks);
        Check.arg(layer >= 0 && layer < key.numLayers(), "layer", "is %d, outside [0, %d)", layer, key.numLayers());
        int floats = blockFloats();
        int at = (block * key.numLayers() + layer) * 2 * floats * key.dtype().byteSize();
        ByteBuffer in = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(at);
        return new float[][] {get(in, key.dtype(), floats), get(in, key.dtype(), floats)};
    }

    /**
     * The stored bytes of one block of one layer, without conversion: for loading into a cache of the key's dtype
     * ({@code PagedKvCache.writeBlock(layer, block, ByteBuffer)}).
     *
     * @param block the block, in [0, {@link #numBlocks()})
     * @param layer the layer counted from the key's first layer, in [0, {@code key().numLayers()})
     * @return a read-only little-endian view of the keys then the values, {@link #blockFloats()} elements of the key's
     *     dtype each
     * @throws IllegalArgumentException if {@code block} or {@code layer} is out of range
     */
    public ByteBuffer blockBytes(int block, int layer) {
        Check.arg(block >= 0 && block < numBlocks, "block", "is %d, outside [0, %d)", block, numBlocks);
        Check.arg(layer >= 0 && layer < key.numLayers(), "layer", "is %d, outside [0, %d)", layer, key.numLayers());
        int bytes = 2 * blockFloats() * key.dtype().byteSize();
        return payload.slice((block * key.numLayers() + layer) * bytes, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * What this is the KV of.
     *
     * @return the chunk's key: model, dtype, block size, layers and chunk id
     */
    public ChunkKey key() {
        return key;
    }

    /**
     * The length of the padded chunk.
     *
     * @return KV blocks held, &gt; 0
     */
    public int numBlocks() {
        return numBlocks;
    }

    /**
     * The KV heads per token.
     *
     * @return the number of KV heads, &gt; 0
     */
    public int numKvHeads() {
        return numKvHeads;
    }

    /**
     * The size of one head.
     *
     * @return elements per head, &gt; 0
     */
    public int headDim() {
        return headDim;
    }

    /**
     * Elements in one block of one layer's keys (or values).
     *
     * @return {@code blockSize * numKvHeads * headDim}
     */
    public int blockFloats() {
        return key.blockSize() * numKvHeads * headDim;
    }

    /**
     * The payload size.
     *
     * @return payload bytes, as {@link #payloadBytes} gives for this shape
     */
    public int bytes() {
        return payload.limit();
    }

    /**
     * The payload.
     *
     * @return a new read-only view of it, position 0, little-endian
     */
    public ByteBuffer payload() {
        return payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void put(ByteBuffer out, DType dtype, float[] v) {
        switch (dtype) {
            case F32 -> {
                out.asFloatBuffer().put(v);
                out.position(out.position() + v.length * 4);
            }
            case F16 -> {
                for (float f : v) {
                    out.putShort(HalfFloats.floatToF16(f));
                }
            }
            case BF16 -> {
                for (float f : v) {
                    out.putShort(HalfFloats.floatToBf16(f));
                }
            }
            default -> throw new IllegalArgumentException("dtype: " + dtype + " is not a float type");
        }
    }

    private static float[] get(ByteBuffer in, DType dtype, int n) {
        float[] v = new float[n];
        switch (dtype) {
            case F32 -> {
                in.asFloatBuffer().get(v);
                in.position(in.position() + n * 4);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = HalfFloats.f16ToFloat(in.getShort());
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    v[i] = HalfFloats.bf16ToFloat(in.getShort());
                }
            }
            default -> throw new IllegalArgumentException("dtype: " + dtype + " is not a float type");
        }
        return v;
    }
}
