package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.util.Check;

/**
 * Arguments of the standalone, in-place rotary embedding (docs/kernels.md, standalone RoPE): the first
 * {@code rotaryDim} dimensions of every head of token t are rotated to {@code positions[t]}.
 *
 * @param x [numTokens, numHeads, headDim] F32/F16/BF16, rotated in place
 * @param positions I32 [numTokens], each in [0, maxPosition)
 * @param cosSin F32 [maxPosition, rotaryDim]: cos in the first half of a row, sin in the second
 * @param style NEOX or GPTJ (NONE leaves x unchanged)
 * @param rotaryDim 0 means headDim
 */
public record RopeArgs(Tensor x, Tensor positions, Tensor cosSin, RopeStyle style, int rotaryDim) implements TensorArgs {

    /** Names of the tensor arguments, in {@link #tensor(int)} order. */
    private static final String[] TENSOR_NAMES = {"x", "positions", "cosSin"};

    @Override
    public int tensorCount() {
        return TENSOR_NAMES.length;
    }

    @Override
    public String tensorName(int i) {
        return TENSOR_NAMES[i];
    }

    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> x;
            case 1 -> positions;
            case 2 -> cosSin;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /** Sizes of a validated call. */
    public record Shape(int numTokens, int numHeads, int headDim, int rotaryDim, int maxPosition) {
    }

    public Shape validate(String device) {
        Check.tensor("x", x, device, 3, DType.F32, DType.F16, DType.BF16);
        Check.tensor("positions", positions, device, 1, DType.I32);
        Check.arg(style != null, "style", "is null");
        int numTokens = Check.toInt("x", x.dim(0));
        int numHeads = Check.toInt("x", x.dim(1));
        int headDim = Check.toInt("x", x.dim(2));
        Check.arg(numHeads > 0 && headDim > 0, "x", "numHeads %d and headDim %d must be positive", numHeads, headDim);
        Check.dim("positions", positions, 0, numTokens, "numTokens of x");
        int rot = rotaryDim == 0 ? headDim : rotaryDim;
        Check.arg(rot > 0 && rot % 2 == 0 && rot <= headDim, "rotaryDim",
                "is %d; must be even, positive and at most headDim %d", rot, headDim);
        Check.tensor("cosSin", cosSin, device, 2, DType.F32);
        Check.dim("cosSin", cosSin, 1, rot, "rotaryDim");
        int maxPosition = Check.toInt("cosSin", cosSin.dim(0));
        Check.entriesInRange("positions", positions.toIntArray(), 0, maxPosition, "");
        return new Shape(numTokens, numHeads, headDim, rot, maxPosition);
    }
}
