package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of RMS normalization, optionally fused with the residual add (docs/kernels.md, RMS
 * norm). Without a residual: {@code out = x / sqrt(mean(x^2) + eps) * weight}, row by row. With
 * one (vLLM's fused_add_rms_norm): {@code residual := residual + x} in place, then {@code out =
 * residual / sqrt(mean(residual^2) + eps) * weight}.
 *
 * @param x F32 [rows, hidden], hidden positive
 * @param residual null, or F32 [rows, hidden], updated in place; shares no memory with x
 * @param weight F32 [hidden]
 * @param out F32 [rows, hidden], overwritten; shares no memory with x or residual
 * @param eps added to the mean square; finite and at least 0
 */
public record RmsNormArgs(Tensor x, Tensor residual, Tensor weight, Tensor out, float eps) implements TensorArgs {

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("x", "residual", "weight", "out")
            .written("residual", "out");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    /** {@inheritDoc} */
    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> x;
            case 1 -> residual;
            case 2 -> weight;
            case 3 -> out;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Sizes of a validated call.
     *
     * @param rows rows of x
     * @param hidden elements per row
     */
    public record Shape(int rows, int hidden) {
    }

    /**
     * Checks every argument.
     *
     * @param device the backend the call runs on; every tensor must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a null or closed tensor, one on another
     *     backend, a wrong dtype, rank or dimension, an output sharing memory with an input, or a bad eps
     */
    public Shape validate(String device) {
        Check.tensor("x", x, device, 2, DType.F32);
        int rows = Check.toInt("x", x.dim(0));
        int hidden = Check.toInt("x", x.dim(1));
        Check.arg(hidden > 0, "x", "hidden size (dimension 1) is 0, must be positive");
        if (residual != null) {
            Check.tensor("residual", residual, device, 2, DType.F32);
            Check.dim("residual", residual, 0, rows, "rows of x");
            Check.dim("residual", residual, 1, hidden, "hidden of x");
            Check.disjoint("residual", residual, "x", x);
        }
        Check.tensor("weight", weight, device, 1, DType.F32);
        Check.dim("weight", weight, 0, hidden, "hidden of x");
        Check.tensor("out", out, device, 2, DType.F32);
        Check.dim("out", out, 0, rows, "rows of x");
        Check.dim("out", out, 1, hidden, "hidden of x");
        Check.disjoint("out", out, "x", x);
        if (residual != null) {
            Check.disjoint("out", out, "residual", residual);
        }
        Check.arg(Float.isFinite(eps) && eps >= 0f, "eps", "is %s, must be finite and >= 0", eps);
        return new Shape(rows, hidden);
    }
}
