package dev.npukit.model;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.KvLayout;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.nio.ByteBuffer;

/**
 * The model's paged KV cache on a backend: per layer a key and a value tensor in one
 * {@link KvLayout} ([numBlocks, blockSize, numKvHeads, headDim] for NHD, [numBlocks, numKvHeads,
 * blockSize, headDim] for HND). Keys are stored without rotation (NoPE, docs/kernels.md, paged
 * attention); the attention kernel rotates them by slot position. Block ids are the caller's (a
 * MEPIC {@code Plan}'s block table, or {@link ModelLogits}' own allocation). Blocks are read and
 * written ({@link #readBlock}, {@link #writeBlock}) in the NHD order whatever the layout, so a
 * block copied out of one cache fits any other.
 */
public final class PagedKvCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int numBlocks;
    private final int blockSize;
    private final int rowSize;
    private final int numKvHeads;
    private final int headDim;
    private final KvLayout layout;

    PagedKvCache(Backend backend, LlamaConfig c, int numBlocks, int blockSize, DType dtype, KvLayout layout) {
        Check.arg(numBlocks > 0, "numBlocks", "is %d, must be positive", numBlocks);
        Check.arg(blockSize > 0, "blockSize", "is %d, must be positive", blockSize);
        Check.arg(dtype != null && dtype.isFloat(), "dtype", "must be F32, F16 or BF16, got %s", dtype);
        Check.arg(layout != null, "layout", "is null; defaultLayout(backend) is the backend's faster layout");
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.rowSize = c.kvSize();
        this.numKvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.layout = layout;
        long[] shape = layout.shape(numBlocks, blockSize, c.numKvHeads(), c.headDim());
        keys = new Tensor[c.numLayers()];
        values = new Tensor[c.numLayers()];
        try {
            for (int l = 0; l < c.numLayers(); l++) {
                keys[l] = backend.allocate(dtype, shape);
                values[l] = backend.allocate(dtype, shape);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The layout a model's cache takes on a backend unless one is asked for: the one its attention
     * kernel reads faster (docs/benchmarks.md, KV cache layouts).
     *
     * @param backend the backend the cache lives on
     * @return HND on the cpu and ascend backends, NHD on the reference
     */
    public static KvLayout defaultLayout(Backend backend) {
        return backend.name().equals("reference") ? KvLayout.NHD : KvLayout.HND;
    }

    /**
     * The order of the dimensions of every key and value tensor.
     *
     * @return the layout the cache was made with
     */
    public KvLayout layout() {
        return layout;
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
     * @return {keys, values}, each {@link #blockFloats()} floats in the NHD order [blockSize, numKvHeads, headDim]
     * @throws IllegalArgumentException if layer or block is out of range
     */
    public float[][] readBlock(int layer, int block) {
        checkBlock(layer, block);
        long at = (long) block * blockFloats();
        float[] k = keys[layer].readFloats(at, blockFloats());
        float[] v = values[layer].readFloats(at, blockFloats());
        return layout == KvLayout.NHD ? new float[][] {k, v} : new float[][] {swapSlotsAndHeads(k, numKvHeads, blockSize),
            swapSlotsAndHeads(v, numKvHeads, blockSize)};
    }

    /**
     * One block [a, b, headDim] reordered to [b, a, headDim]: HND to NHD with (a, b) = (numKvHeads,
     * blockSize), NHD to HND with (blockSize, numKvHeads).
     */
    private float[] swapSlotsAndHeads(float[] block, int a, int b) {
        float[] out = new float[block.length];
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(block, (i * b + j) * headDim, out, (j * a + i) * headDim, headDim);
            }
        }
        return out;
    }

    /**
     * Overwrites one block of one layer.
     *
     * @param layer layer index in [0, numLayers)
     * @param block block id in [0, numBlocks)
     * @param kv {keys, values} as {@link #readBlock} returns them (NHD order)
     * @throws IllegalArgumentException if layer or block is out of range or kv has another size
     */
    public void writeBlock(int layer, int block, float[][] kv) {
        checkBlock(layer, block);
        Check.arg(kv != null && kv.length == 2 && kv[0].length == blockFloats() && kv[1].length == blockFloats(), "kv",
                "must be keys and values of %d floats each", blockFloats());
        long at = (long) block * blockFloats();
        boolean nhd = layout == KvLayout.NHD;
        keys[layer].writeFloats(at, nhd ? kv[0] : swapSlotsAndHeads(kv[0], blockSize, numKvHeads));
        values[layer].writeFloats(at, nhd ? kv[1] : swapSlotsAndHeads(kv[1], blockSize, numKvHeads));
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
        int elementBytes = keys[layer].dtype().byteSize();
        ByteBuffer k = kv.slice(kv.position(), half);
        ByteBuffer v = kv.slice(kv.position() + half, half);
        if (layout == KvLayout.HND) {
            k = swapSlotsAndHeads(k, blockSize, numKvHeads, elementBytes);
            v = swapSlotsAndHeads(v, blockSize, numKvHeads, elementBytes);
        }
        long at = (long) block * blockFloats();
        try (Tensor kt = keys[layer].view(at, blockFloats()); Tensor vt = values[layer].view(at, blockFloats())) {
            kt.copyFrom(k);
            vt.copyFrom(v);
        }
    }

    /** {@link #swapSlotsAndHeads(float[], int, int)} over raw elements of {@code elementBytes} bytes each. */
    private ByteBuffer swapSlotsAndHeads(ByteBuffer block, int a, int b, int elementBytes) {
        int row = headDim * elementBytes;
        ByteBuffer out = ByteBuffer.allocate(block.remaining());
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                out.put((j * a + i) * row, block, block.position() + (i * b + j) * row, row);
            }
        }
        return out;
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
