package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of the gated activation of a SwiGLU MLP (docs/kernels.md, SiLU and multiply):
 * {@code out[r, i] = silu(gateUp[r, i]) * gateUp[r, inter + i]} with {@code silu(g) = g / (1 +
 * exp(-g))}; {@code silu(-inf)} is -0 (its limit), never NaN.
 *
 * @param gateUp F32 [rows, 2 * inter]: the gate projection in the first half of each row, the up
 *        projection in the second
 * @param out F32 [rows, inter], overwritten; shares no memory with gateUp
 */
public record SiluMulArgs(Tensor gateUp, Tensor out) implements TensorArgs {

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("gateUp", "out").written("out");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    /** {@inheritDoc} */
    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> gateUp;
            case 1 -> out;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Sizes of a validated call.
     *
     * @param rows rows of gateUp and out
     * @param inter columns of out, half a row of gateUp
     */
    public record Shape(int rows, int inter) {
    }

    /**
     * Checks every argument.
     *
     * @param device the backend the call runs on; every tensor must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a null or closed tensor, one on another
     *     backend, a wrong dtype, rank or dimension, or out sharing memory with gateUp
     */
    public Shape validate(String device) {
        Check.tensor("gateUp", gateUp, device, 2, DType.F32);
        Check.tensor("out", out, device, 2, DType.F32);
        int rows = Check.toInt("gateUp", gateUp.dim(0));
        int width = Check.toInt("gateUp", gateUp.dim(1));
        Check.arg(width > 0 && width % 2 == 0, "gateUp", "row of %d is not a positive even number (gate and up halves)",
                width);
        Check.dim("out", out, 0, rows, "rows of gateUp");
        Check.dim("out", out, 1, width / 2, "half a row of gateUp");
        Check.disjoint("out", out, "gateUp", gateUp);
        return new Shape(rows, width / 2);
    }
}
