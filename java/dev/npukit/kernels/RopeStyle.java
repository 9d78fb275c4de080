package dev.npukit.kernels;

/** How rotary position encoding pairs the dimensions of a head (docs/kernels.md, paged attention). */
public enum RopeStyle {
    /** No rotation in the kernel: q and the cached keys are already rotated (the classic layout). */
    NONE(0),
    /** GPT-NeoX / Llama: dimension i pairs with i + rotaryDim/2. */
    NEOX(1),
    /** GPT-J: dimension 2i pairs with 2i+1. */
    GPTJ(2);

    private final int code;

    RopeStyle(int code) {
        this.code = code;
    }

    /**
     * The code the native API uses (see native/include/npukit/common.h).
     *
     * @return 0 for NONE, 1 for NEOX, 2 for GPTJ
     */
    public int code() {
        return code;
    }
}
