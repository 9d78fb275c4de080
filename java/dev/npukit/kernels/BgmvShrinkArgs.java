package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of the BGMV shrink (docs/kernels.md, BGMV): {@code y[b, :] = scale * A[indices[b]] . x[b]},
 * accumulated in F32; {@code indices[b] = -1} (no adapter, e.g. a base row) writes a zero row.
 *
 * @param x [B, hIn] F32/F16/BF16
 * @param a [numLoras, rank, hIn] F32/F16/BF16, the LoRA A matrices
 * @param indices I32 [B], each in [-1, numLoras)
 * @param y F32 [B, rank], overwritten
 * @param scale finite factor (LoRA's alpha / rank)
 */
public record BgmvShrinkArgs(Tensor x, Tensor a, Tensor indices, Tensor y, float scale) implements TensorArgs {

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("x", "a", "indices", "y")
            .written("y");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> x;
            case 1 -> a;
            case 2 -> indices;
            case 3 -> y;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Sizes of a validated call.
     *
     * @param batch rows B
     * @param hIn input features, columns of x
     * @param rank the LoRA rank, columns of y
     * @param numLoras adapters in a
     */
    public record Shape(int batch, int hIn, int rank, int numLoras) {
    }

    /**
     * Checks every argument, reading {@code indices} back to check its entries.
     *
     * @param device the backend the call runs on; every tensor must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a null or closed tensor, one on another
     *     backend, a wrong dtype, rank or dimension, a scale that is not finite, or an index outside [-1, numLoras)
     */
    public Shape validate(String device) {
        Check.tensor("x", x, device, 2, DType.F32, DType.F16, DType.BF16);
        Check.tensor("a", a, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.tensor("indices", indices, device, 1, DType.I32);
        Check.tensor("y", y, device, 2, DType.F32);
        int batch = Check.toInt("x", x.dim(0));
        int hIn = Check.toInt("x", x.dim(1));
        int numLoras = Check.toInt("a", a.dim(0));
        int rank = Check.toInt("a", a.dim(1));
        Check.dim("a", a, 2, hIn, "hIn of x");
        Check.dim("indices", indices, 0, batch, "batch of x");
        Check.dim("y", y, 0, batch, "batch of x");
        Check.dim("y", y, 1, rank, "rank of a");
        Check.arg(Float.isFinite(scale), "scale", "is %s; must be finite", scale);
        checkIndices(indices, numLoras);
        return new Shape(batch, hIn, rank, numLoras);
    }

    /** Every adapter index is -1 or names an adapter. */
    static void checkIndices(Tensor indices, int numLoras) {
        Check.entriesInRange("indices", indices.toIntArray(), -1, numLoras, " (numLoras)");
    }
}
