package dev.npukit.backend;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.MemoryStats;
import dev.npukit.tensor.Tensor;
import java.nio.Buffer;

/**
 * One place where tensors live and kernels run: {@code reference} (plain Java, the oracle),
 * {@code cpu} (optimized C++) or {@code ascend} (AscendC on an NPU, or its CPU emulation).
 * Get one from {@link Backends}. Every kernel validates its argument record before running and
 * throws {@link IllegalArgumentException} naming the bad argument; native failures are
 * {@link NpukitException}s. Backends are thread-safe; tensors are not, except that a tensor may
 * be closed on any thread at any time: a kernel call holds its tensors' memory until it returns
 * (see {@link Tensor}).
 */
public interface Backend {
    /**
     * The backend's name, as {@link Backends#get} takes it.
     *
     * @return "reference", "cpu" or "ascend"
     */
    String name();

    /**
     * What this backend is.
     *
     * @return its availability, mode and description
     */
    BackendInfo info();

    /**
     * Tensor memory this backend holds now: bytes, allocations, and the peak bytes since it was
     * loaded. Counted in Java where memory is allocated and freed (what the native allocator or
     * the device adds on top is not included).
     *
     * @return the figures now
     */
    MemoryStats memoryStats();

    /**
     * A zero-filled tensor owned by this backend.
     *
     * @param dtype element type
     * @param shape dimensions, each at least 0
     * @return the tensor; the caller closes it
     * @throws IllegalArgumentException if a dimension is negative
     * @throws NpukitException if the memory cannot be allocated
     */
    Tensor allocate(DType dtype, long... shape);

    /**
     * A tensor holding floats, converted to its dtype ({@link Tensor#copyFrom(float[])}).
     *
     * @param dtype F32, F16 or BF16
     * @param data one value per element, row-major
     * @param shape dimensions; their product must equal the length of {@code data}
     * @return the tensor; the caller closes it
     * @throws IllegalArgumentException if {@code data} does not fit the shape
     * @throws IllegalStateException if {@code dtype} is I32
     */
    default Tensor fromFloats(DType dtype, float[] data, long... shape) {
        Tensor t = allocate(dtype, shape);
        try {
            t.copyFrom(data);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * An I32 tensor holding ints.
     *
     * @param data one value per element, row-major
     * @param shape dimensions; their product must equal the length of {@code data}
     * @return the tensor; the caller closes it
     * @throws IllegalArgumentException if {@code data} does not fit the shape
     */
    default Tensor fromInts(int[] data, long... shape) {
        Tensor t = allocate(DType.I32, shape);
        try {
            t.copyFrom(data);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * A tensor holding the remaining elements of {@code src}, copied without conversion and
     * without an intermediate array ({@link Tensor#copyFrom(Buffer)}: a FloatBuffer for F32, an
     * IntBuffer for I32, a ShortBuffer of raw bits for F16/BF16, or a ByteBuffer of raw
     * little-endian bytes for any dtype). Advances {@code src}'s position to its limit.
     *
     * @param dtype element type of the tensor
     * @param src the data, heap or direct
     * @param shape dimensions of the tensor
     * @return a new tensor owned by this backend; the caller closes it
     * @throws IllegalArgumentException "src: ..." if {@code src} does not fit the dtype or shape
     */
    default Tensor fromBuffer(DType dtype, Buffer src, long... shape) {
        Tensor t = allocate(dtype, shape);
        try {
            t.copyFrom(src);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /**
     * The index tensors of one model step (docs/kernels.md, attention metadata), validated once against the KV cache geometry
     * ({@code numBlocks} blocks of {@code blockSize} slots, as every layer's cache has) and uploaded
     * once: pass it to every layer's {@link #pagedAttention} ({@link AttentionArgs.Builder#metadata})
     * and {@link #writeKv}, which then read no index tensor back. The caller closes it after the step.
     *
     * @param numBlocks blocks in each layer's KV cache
     * @param blockSize slots per block
     * @param blockTables [numSeqs * maxBlocksPerSeq], row-major
     * @param maxBlocksPerSeq entries per row of {@code blockTables}
     * @param seqLens [numSeqs]
     * @param queryStartLoc [numSeqs + 1]
     * @param slotMapping [numTokens]
     * @return the validated metadata, holding tensors on this backend
     * @throws IllegalArgumentException naming the first bad argument
     */
    default AttentionMetadata attentionMetadata(int numBlocks, int blockSize, int[] blockTables, int maxBlocksPerSeq,
            int[] seqLens, int[] queryStartLoc, int[] slotMapping) {
        return AttentionMetadata.create(name(), this::fromInts, numBlocks, blockSize, blockTables, maxBlocksPerSeq,
                seqLens, queryStartLoc, slotMapping);
    }

    /**
     * RoPE-fused paged attention (docs/kernels.md, paged attention).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void pagedAttention(AttentionArgs args);

    /**
     * Writes keys and values into the paged cache, without rotation (docs/kernels.md, cache write).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void writeKv(WriteKvArgs args);

    /**
     * Rotates x in place (docs/kernels.md, standalone RoPE).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void rope(RopeArgs args);

    /**
     * Expert/base contrastive scoring, CoLD's decoding rule (docs/kernels.md, contrastive
     * scoring); bit-exact across backends. A NaN in an expert or base row is refused as bad data.
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void contrastive(ContrastiveArgs args);

    /**
     * BGMV shrink: {@code y[b] = scale * A[idx[b]] . x[b]}, zero rows for index -1 (docs/kernels.md, BGMV).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void bgmvShrink(BgmvShrinkArgs args);

    /**
     * BGMV expand: {@code y[b, off:off+hOut] += W[idx[b]] . v[b]}, index -1 unchanged (docs/kernels.md, BGMV).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void bgmvExpand(BgmvExpandArgs args);

    /**
     * Dense linear layer {@code out = x . weight^T + bias} with F32 accumulation (weight [N, K], PyTorch layout;
     * bias optional).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void matmul(MatmulArgs args);

    /**
     * RMS normalization of each row, optionally after adding it into a residual stream in place
     * (docs/kernels.md, RMS norm).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void rmsNorm(RmsNormArgs args);

    /**
     * SwiGLU's gated activation {@code out = silu(gate) * up} over the two halves of each row
     * (docs/kernels.md, SiLU and multiply).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (a closed tensor included); nothing is written
     * @throws NpukitException if the native kernel fails
     */
    void siluMul(SiluMulArgs args);

    /**
     * Embedding lookup or row gather {@code out[r] = table[ids[r]]}, widened to F32 (docs/kernels.md, embedding).
     *
     * @param args the call's arguments
     * @throws IllegalArgumentException naming the first bad argument (an id outside the table included); nothing
     *     is written
     * @throws NpukitException if the native kernel fails
     */
    void embedding(EmbeddingArgs args);
}
