package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of the dense linear layer {@code out = x . weight^T + bias}, accumulated in F32 (the
 * reference accumulates in double); the bias is added once to each finished dot product. The
 * weight is in PyTorch's Linear layout, one row per output feature, so checkpoint tensors are used
 * as they are stored.
 *
 * @param x [M, K] F32/F16/BF16, the activations
 * @param weight [N, K] F32/F16/BF16
 * @param bias null (no bias), or F32 [N]
 * @param out F32 [M, N], overwritten
 */
public record MatmulArgs(Tensor x, Tensor weight, Tensor bias, Tensor out) implements TensorArgs {

    /**
     * Arguments without a bias: {@code out = x . weight^T}.
     *
     * @param x [M, K] F32/F16/BF16, the activations
     * @param weight [N, K] F32/F16/BF16
     * @param out F32 [M, N], overwritten
     */
    public MatmulArgs(Tensor x, Tensor weight, Tensor out) {
        this(x, weight, null, out);
    }

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("x", "weight", "bias", "out")
            .written("out");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> x;
            case 1 -> weight;
            case 2 -> bias;
            case 3 -> out;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Sizes of a validated call.
     *
     * @param m rows M of x and out
     * @param k inputs K, columns of x and weight
     * @param n outputs N, rows of weight and columns of out
     */
    public record Shape(int m, int k, int n) {
    }

    /**
     * Checks every argument.
     *
     * @param device the backend the call runs on; every tensor must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a null or closed tensor (bias may be null),
     *     one on another backend, or a wrong dtype, rank or dimension
     */
    public Shape validate(String device) {
        Check.tensor("x", x, device, 2, DType.F32, DType.F16, DType.BF16);
        Check.tensor("weight", weight, device, 2, DType.F32, DType.F16, DType.BF16);
        Check.tensor("out", out, device, 2, DType.F32);
        int m = Check.toInt("x", x.dim(0));
        int k = Check.toInt("x", x.dim(1));
        int n = Check.toInt("weight", weight.dim(0));
        Check.dim("weight", weight, 1, k, "K = columns of x");
        Check.dim("out", out, 0, m, "M = rows of x");
        Check.dim("out", out, 1, n, "N = rows of weight");
        if (bias != null) {
            Check.tensor("bias", bias, device, 1, DType.F32);
            Check.dim("bias", bias, 0, n, "N = rows of weight");
        }
        return new Shape(m, k, n);
    }
}
