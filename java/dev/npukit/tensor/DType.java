package dev.npukit.tensor;

/** Element types of a {@link Tensor}. The numeric codes are shared with the native kernels. */
public enum DType {
    F32(4, 0),
    F16(2, 1),
    BF16(2, 2),
    I32(4, 3);

    private final int byteSize;
    private final int code;

    DType(int byteSize, int code) {
        this.byteSize = byteSize;
        this.code = code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The code the native API uses for this type (see native/include/npukit/common.h). */
    public int code() {
        return code;
    }

    /** True for the floating-point types F32, F16 and BF16. */
    public boolean isFloat() {
        return this != I32;
    }
}
