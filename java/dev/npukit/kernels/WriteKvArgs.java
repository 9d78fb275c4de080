package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of the paged cache write (docs/kernels.md, cache write): token t's key and value go to slot
 * {@code slotMapping[t]} = block * blockSize + offset of {@code kCache}/{@code vCache}, converted
 * to the cache dtype, without rotation. Slot -1 skips the token; if two tokens name the same slot
 * the later one wins.
 *
 * @param key [numTokens, numKvHeads, headDim] F32/F16/BF16
 * @param value same shape as key, F32/F16/BF16
 * @param kCache [numBlocks, blockSize, numKvHeads, headDim] (NHD) or [numBlocks, numKvHeads, blockSize, headDim]
 *     (HND, see {@code layout})
 * @param vCache same shape, dtype and layout as kCache
 * @param slotMapping I32 [numTokens]
 * @param metadata the step's indices validated once ({@link AttentionMetadata}), whose slot mapping
 *     is {@code slotMapping}; or null, and the slot mapping is read and checked on every call
 * @param layout the order of the dimensions of {@code kCache} and {@code vCache}, not null
 */
public record WriteKvArgs(Tensor key, Tensor value, Tensor kCache, Tensor vCache, Tensor slotMapping,
        AttentionMetadata metadata, KvLayout layout) implements TensorArgs {

    /**
     * Refuses a null layout; the tensors are checked by {@link #validate}.
     *
     * @param key [numTokens, numKvHeads, headDim] F32/F16/BF16
     * @param value same shape as key, F32/F16/BF16
     * @param kCache the key cache, in {@code layout}
     * @param vCache same shape, dtype and layout as kCache
     * @param slotMapping I32 [numTokens]
     * @param metadata the step's validated indices, whose slot mapping is {@code slotMapping}, or null
     * @param layout the caches' layout, not null
     * @throws IllegalArgumentException "layout: ..." if {@code layout} is null
     */
    public WriteKvArgs {
        Check.arg(layout != null, "layout", "is null; KvLayout.NHD is the default");
    }

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("key", "value", "kCache", "vCache", "slotMapping")
            .written("kCache", "vCache");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    /** With metadata, slotMapping is the metadata's, so holding it holds the metadata's tensor. */
    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> key;
            case 1 -> value;
            case 2 -> kCache;
            case 3 -> vCache;
            case 4 -> slotMapping;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Arguments whose slot mapping is validated by reading it on every call (no metadata), over
     * caches in the {@link KvLayout#NHD} layout.
     *
     * @param key [numTokens, numKvHeads, headDim] F32/F16/BF16
     * @param value same shape as key, F32/F16/BF16
     * @param kCache [numBlocks, blockSize, numKvHeads, headDim] F32/F16/BF16
     * @param vCache same shape and dtype as kCache
     * @param slotMapping I32 [numTokens], each in [-1, numBlocks * blockSize)
     */
    public WriteKvArgs(Tensor key, Tensor value, Tensor kCache, Tensor vCache, Tensor slotMapping) {
        this(key, value, kCache, vCache, slotMapping, null, KvLayout.NHD);
    }

    /**
     * Arguments whose slot mapping is validated by reading it on every call (no metadata), over
     * caches in the given layout.
     *
     * @param key [numTokens, numKvHeads, headDim] F32/F16/BF16
     * @param value same shape as key, F32/F16/BF16
     * @param kCache the key cache, F32/F16/BF16, shaped as {@code layout} says
     * @param vCache same shape and dtype as kCache
     * @param slotMapping I32 [numTokens], each in [-1, numBlocks * blockSize)
     * @param layout the caches' layout, not null
     */
    public WriteKvArgs(Tensor key, Tensor value, Tensor kCache, Tensor vCache, Tensor slotMapping, KvLayout layout) {
        this(key, value, kCache, vCache, slotMapping, null, layout);
    }

    /**
     * Arguments taking the slot mapping of the step's metadata, over caches in the {@link KvLayout#NHD} layout.
     *
     * @param key [numTokens, numKvHeads, headDim] F32/F16/BF16
     * @param value same shape as key, F32/F16/BF16
     * @param kCache [numBlocks, blockSize, numKvHeads, headDim] F32/F16/BF16, of the metadata's geometry
     * @param vCache same shape and dtype as kCache
     * @param metadata the step's validated indices; its {@link AttentionMetadata#slotMapping()} is used
     */
    public WriteKvArgs(Tensor key, Tensor value, Tensor kCache, Tensor vCache, AttentionMetadata metadata) {
        this(key, value, kCache, vCache, metadata, KvLayout.NHD);
    }

    /**
     * Arguments taking the slot mapping of the step's metadata, over caches in the given layout.
     *
     * @param key [numTokens, numKvHeads, headDim] F32/F16/BF16
     * @param value same shape as key, F32/F16/BF16
     * @param kCache the key cache, F32/F16/BF16, shaped as {@code layout} says, of the metadata's geometry
     * @param vCache same shape and dtype as kCache
     * @param metadata the step's validated indices; its {@link AttentionMetadata#slotMapping()} is used
     * @param layout the caches' layout, not null
     */
    public WriteKvArgs(Tensor key, Tensor value, Tensor kCache, Tensor vCache, AttentionMetadata metadata,
            KvLayout layout) {
        this(key, value, kCache, vCache, metadata == null ? null : metadata.slotMapping(), metadata, layout);
    }

    /**
     * Sizes of a validated call.
     *
     * @param numTokens tokens written (rows of key)
     * @param numKvHeads KV heads
     * @param headDim elements per head
     * @param numBlocks KV blocks of the cache
     * @param blockSize tokens per KV block
     */
    public record Shape(int numTokens, int numKvHeads, int headDim, int numBlocks, int blockSize) {
    }

    /**
     * Checks every argument; without metadata it reads the slot mapping back to check its entries.
     *
     * @param device the backend the call runs on; every tensor (and the metadata) must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a closed metadata or one on another backend,
     *     a null or closed tensor, one on another backend, a wrong dtype, rank or dimension, a cache geometry other
     *     than the metadata's, or a slot outside [-1, numBlocks * blockSize)
     */
    public Shape validate(String device) {
        if (metadata != null) {
            metadata.checkUsable(device);
        }
        Check.tensor("key", key, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.tensor("value", value, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.tensor("kCache", kCache, device, 4, DType.F32, DType.F16, DType.BF16);
        Check.tensor("vCache", vCache, device, 4, kCache.dtype());
        Check.tensor("slotMapping", slotMapping, device, 1, DType.I32);
        int numTokens = Check.toInt("key", key.dim(0));
        int numKvHeads = Check.toInt("key", key.dim(1));
        int headDim = Check.toInt("key", key.dim(2));
        Check.arg(numKvHeads > 0 && headDim > 0, "key", "numKvHeads %d and headDim %d must be positive", numKvHeads,
                headDim);
        for (int i = 0; i < 3; i++) {
            Check.dim("value", value, i, key.dim(i), "same shape as key");
        }
        for (int i = 0; i < 4; i++) {
            Check.dim("vCache", vCache, i, kCache.dim(i), "same shape as kCache");
        }
        Check.dim("kCache", kCache, layout.kvHeadsDim(), numKvHeads, "numKvHeads of key in layout " + layout);
        Check.dim("kCache", kCache, 3, headDim, "headDim of key");
        Check.dim("slotMapping", slotMapping, 0, numTokens, "numTokens of key");
        int numBlocks = Check.toInt("kCache", kCache.dim(0));
        int blockSize = Check.toInt("kCache", kCache.dim(layout.blockSizeDim()));
        Check.arg(blockSize > 0, "kCache", "blockSize is 0; must be positive");
        if (metadata != null) {
            Check.arg(slotMapping == metadata.slotMapping(), "metadata", "does not hold the call's slotMapping");
            Check.arg(numBlocks == metadata.numBlocks() && blockSize == metadata.blockSize(), "kCache",
                    "has %d blocks of %d, the metadata was validated for %d blocks of %d", numBlocks, blockSize,
                    metadata.numBlocks(), metadata.blockSize());
        } else {
            long numSlots = (long) numBlocks * blockSize;
            Check.entriesInRange("slotMapping", slotMapping.toIntArray(), -1, numSlots, " (numBlocks * blockSize)");
        }
        return new Shape(numTokens, numKvHeads, headDim, numBlocks, blockSize);
    }
}
