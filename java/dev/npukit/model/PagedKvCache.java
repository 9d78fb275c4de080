package dev.npukit.model;

import dev.npukit.backend.Backend;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.nio.ByteBuffer;

/**
 * The model's paged KV cache on a backend: per layer a key and a value tensor
 * [numBlocks, blockSize, numKvHeads, headDim]. Keys are stored without rotation (NoPE, docs/kernels.md, paged attention);
 * the attention kernel rotates them by slot position. Block ids are the caller's (a MEPIC
 * {@code Plan}'s block table, or {@link ModelLogits}' own allocation).
 */
public final class PagedKvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int numBlocks;
    private final int blockSize;
    private final int rowSize;

    PagedKvCache(Backend backend, LlamaConfig c, int numBlocks, int blockSize, DType dtype) {
        Check.arg(numBlocks > 0, "numBlocks", "is %d, must be positive", numBlocks);
        Check.arg(blockSize > 0, "blockSize", "is %d, must be positive", blockSize);
        Check.arg(dtype != null && dtype.isFloat(), "dtype", "must be F32, F16 or BF16, got %s", dtype);
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.rowSize = c.kvSize();
        keys = new Tensor[c.numLayers()];
        values = new Tensor[c.numLayers()];
        try {
            for (int l = 0; l < c.numLayers(); l++) {
                keys[l] = backend.allocate(dtype, numBlocks, blockSize, c.numKvHeads(), c.headDim());
                values[l] = backend.allocate(dtype, numBlocks, blockSize, c.numKvHeads(), c.headDim());
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Blocks per layer.
     *
     * @return the numBlocks the cache was made with
     */
    public int numBlocks() {
        return numBlocks;
    }

    /**
     * Token slots per block.
     *
     * @return the blockSize the cache was made with
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * Layers, each with its own key and value tensors.
     *
     * @return the model's layer count
     */
    public int numLayers() {
        return keys.length;
    }

    Tensor keys(int layer) {
        return keys[layer];
    }

    Tensor values(int layer) {
        return values[layer];
    }

    /**
     * Size of one block of one layer's keys (or values).
     *
     * @return blockSize · numKvHeads · headDim floats
     */
    public int blockFloats() {
        return blockSize * rowSize;
    }

    /**
     * A copy of one block of one layer.
     *
     * @param layer layer index in [0, numLayers)
     * @param block block id in [0, numBlocks)
     * @return {keys, values}, each {@link #blockFloats()} floats
     * @throws IllegalArgumentException if layer or block is out of range
     */
    public float[][] readBlock(int layer, int block) {
        checkBlock(layer, block);
        long at = (long) block * blockFloats();
        return new float[][] {keys[layer].readFloats(at, blockFloats()), values[layer].readFloats(at, blockFloats())};
    }

    /**
     * Overwrites one block of one layer.
     *
     * @param layer layer index in [0, numLayers)
     * @param block block id in [0, numBlocks)
     * @param kv {keys, values} as {@link #readBlock} returns them
     * @throws IllegalArgumentException if layer or block is out of range or kv has another size
     */
    public void writeBlock(int layer, int block, float[][] kv) {
        checkBlock(layer, block);
        Check.arg(kv != null && kv.length == 2 && kv[0].length == blockFloats() && kv[1].length == blockFloats(), "kv",
                "must be keys and values of %d floats each", blockFloats());
        long at = (long) block * blockFloats();
        keys[layer].writeFloats(at, kv[0]);
        values[layer].writeFloats(at, kv[1]);
    }

    /**
     * Overwrites one block of one layer from raw elements of the cache's dtype, without conversion (a stored chunk's
     * {@code ChunkKv.blockBytes}).
     *
     * @param layer layer index in [0, numLayers)
     * @param block block id in [0, numBlocks)
     * @param kv the keys then the values, {@link #blockFloats()} little-endian elements of the cache's dtype each;
     *     its remaining bytes are read, its position is not moved
     * @throws IllegalArgumentException if layer or block is out of range, or kv is null or has another size
     */
    public void writeBlock(int layer, int block, ByteBuffer kv) {
        checkBlock(layer, block);
        int half = blockFloats() * keys[layer].dtype().byteSize();
        Check.arg(kv != null && kv.remaining() == 2 * half, "kv", "must hold keys and values of %d bytes each", half);
        long at = (long) block * blockFloats();
        try (Tensor k = keys[layer].view(at, blockFloats()); Tensor v = values[layer].view(at, blockFloats())) {
            k.copyFrom(kv.slice(kv.position(), half));
            v.copyFrom(kv.slice(kv.position() + half, half));
        }
    }

    private void checkBlock(int layer, int block) {
        Check.arg(layer >= 0 && layer < keys.length, "layer", "is %d, outside [0, %d)", layer, keys.length);
        Check.arg(block >= 0 && block < numBlocks, "block", "is %d, outside [0, %d)", block, numBlocks);
    }

    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            if (keys[l] != null) {
                keys[l].close();
            }
            if (values[l] != null) {
                values[l].close();
            }
        }
    }
}
