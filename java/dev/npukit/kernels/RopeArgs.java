package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of the standalone, in-place rotary embedding (docs/kernels.md, standalone RoPE): the first
 * {@code rotaryDim} dimensions of every head of token t are rotated to {@code positions[t]}.
 *
 * @param x [numTokens, numHeads, headDim] F32/F16/BF16, rotated in place
 * @param positions I32 [numTokens], each in [0, maxPosition)
 * @param cosSin F32 [maxPosition, rotaryDim]: cos in the first half of a row, sin in the second
 *        ({@link RopeTables#cosSin})
 * @param style NEOX or GPTJ (NONE leaves x unchanged)
 * @param rotaryDim number of leading dimensions of each head that are rotated: positive, even and at
 *        most headDim; {@link #RopeArgs(Tensor, Tensor, Tensor, RopeStyle)} rotates the whole head
 */
public record RopeArgs(Tensor x, Tensor positions, Tensor cosSin, RopeStyle style, int rotaryDim) implements TensorArgs {

    /**
     * Refuses a {@code rotaryDim} that is not positive; the rest is checked by {@link #validate}.
     *
     * @param x [numTokens, numHeads, headDim] F32/F16/BF16, rotated in place
     * @param positions I32 [numTokens]
     * @param cosSin F32 [maxPosition, rotaryDim]
     * @param style NEOX, GPTJ or NONE
     * @param rotaryDim rotated dimensions per head, positive
     * @throws IllegalArgumentException "rotaryDim: ..." if {@code rotaryDim} is not positive
     */
    public RopeArgs {
        Check.arg(rotaryDim > 0, "rotaryDim", "is %d, must be positive (the full head: leave it out)", rotaryDim);
    }

    /**
     * Arguments that rotate the whole head: {@code rotaryDim} is headDim, the last dimension of
     * {@code x}.
     *
     * @param x [numTokens, numHeads, headDim] F32/F16/BF16, rotated in place
     * @param positions I32 [numTokens]
     * @param cosSin F32 [maxPosition, rotaryDim]
     * @param style NEOX, GPTJ or NONE
     * @throws IllegalArgumentException "x: ..." if {@code x} is null or not of rank 3
     */
    public RopeArgs(Tensor x, Tensor positions, Tensor cosSin, RopeStyle style) {
        this(x, positions, cosSin, style, headDim(x));
    }

    private static int headDim(Tensor x) {
        Check.arg(x != null, "x", "is null");
        Check.arg(x.rank() == 3, "x", "rank is %d, expected 3 [numTokens, numHeads, headDim]", x.rank());
        Check.arg(x.dim(2) > 0, "x", "headDim is 0, must be positive");
        return Check.toInt("x", x.dim(2));
    }

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("x", "positions", "cosSin")
            .written("x");

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
            case 1 -> positions;
            case 2 -> cosSin;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Sizes of a validated call.
     *
     * @param numTokens rows of x
     * @param numHeads heads per row
     * @param headDim dimensions per head
     * @param rotaryDim leading dimensions of each head that are rotated
     * @param maxPosition rows of the cos/sin table
     */
    public record Shape(int numTokens, int numHeads, int headDim, int rotaryDim, int maxPosition) {
    }

    /**
     * Checks every argument against the others and the positions' values, and returns the sizes.
     * Backends call it before running the kernel.
     *
     * @param device name of the backend that runs the call; every tensor must live there
     * @return the sizes of the call
     * @throws IllegalArgumentException naming the first bad argument
     */
    public Shape validate(String device) {
        Check.tensor("x", x, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.tensor("positions", positions, device, 1, DType.I32);
        Check.arg(style != null, "style", "is null");
        int numTokens = Check.toInt("x", x.dim(0));
        int numHeads = Check.toInt("x", x.dim(1));
        int headDim = Check.toInt("x", x.dim(2));
        Check.arg(numHeads > 0 && headDim > 0, "x", "numHeads %d and headDim %d must be positive", numHeads, headDim);
        Check.dim("positions", positions, 0, numTokens, "numTokens of x");
        Check.arg(rotaryDim % 2 == 0 && rotaryDim <= headDim, "rotaryDim",
                "is %d; must be even, positive and at most headDim %d", rotaryDim, headDim);
        Check.tensor("cosSin", cosSin, device, 2, DType.F32);
        Check.dim("cosSin", cosSin, 1, rotaryDim, "rotaryDim");
        int maxPosition = Check.toInt("cosSin", cosSin.dim(0));
        Check.entriesInRange("positions", positions.toIntArray(), 0, maxPosition, "");
        return new Shape(numTokens, numHeads, headDim, rotaryDim, maxPosition);
    }
}
