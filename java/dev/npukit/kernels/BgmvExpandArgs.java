package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of the BGMV expand (docs/kernels.md, BGMV):
 * {@code y[b, offset : offset + hOut] += W[indices[b]] . v[b]}, accumulated in F32 and rounded
 * once to y's dtype; {@code indices[b] = -1} leaves row b unchanged. The offset lets several
 * adapters' outputs (e.g. the q, k and v slices of a fused projection) share one y.
 *
 * @param v [B, rank] F32/F16/BF16 (typically the shrink's output)
 * @param w [numLoras, hOut, rank] F32/F16/BF16, the LoRA B matrices
 * @param indices I32 [B], each in [-1, numLoras)
 * @param y [B, yRow] F32/F16/BF16, updated in its columns [offset, offset + hOut)
 * @param offset first column of the slice, offset + hOut &lt;= yRow
 */
public record BgmvExpandArgs(Tensor v, Tensor w, Tensor indices, Tensor y, int offset) implements TensorArgs {

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("v", "w", "indices", "y")
            .written("y");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> v;
            case 1 -> w;
            case 2 -> indices;
            case 3 -> y;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Sizes of a validated call.
     *
     * @param batch rows B
     * @param rank the LoRA rank, columns of v
     * @param hOut output features of each adapter
     * @param numLoras adapters in w
     * @param yRow columns of y
     */
    public record Shape(int batch, int rank, int hOut, int numLoras, int yRow) {
    }

    /**
     * Checks every argument, reading {@code indices} back to check its entries.
     *
     * @param device the backend the call runs on; every tensor must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a null or closed tensor, one on another
     *     backend, a wrong dtype, rank or dimension, a slice beyond y's columns, or an index outside [-1, numLoras)
     */
    public Shape validate(String device) {
        Check.tensor("v", v, device, 2, DType.F32, DType.F16, DType.BF16);
        Check.tensor("w", w, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.tensor("indices", indices, device, 1, DType.I32);
        Check.tensor("y", y, device, 2, DType.F32, DType.F16, DType.BF16);
        int batch = Check.toInt("v", v.dim(0));
        int rank = Check.toInt("v", v.dim(1));
        int numLoras = Check.toInt("w", w.dim(0));
        int hOut = Check.toInt("w", w.dim(1));
        Check.dim("w", w, 2, rank, "rank of v");
        Check.dim("indices", indices, 0, batch, "batch of v");
        Check.dim("y", y, 0, batch, "batch of v");
        int yRow = Check.toInt("y", y.dim(1));
        Check.arg(offset >= 0 && (long) offset + hOut <= yRow, "offset",
                "slice [%d, %d) does not fit in rows of %d columns of y", offset, (long) offset + hOut, yRow);
        BgmvShrinkArgs.checkIndices(indices, numLoras);
        return new Shape(batch, rank, hOut, numLoras, yRow);
    }
}
