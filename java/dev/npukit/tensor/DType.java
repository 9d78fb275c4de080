package dev.npukit.tensor;

/** Element types of a {@link Tensor}. The numeric codes are shared with the native kernels. */
public enum DType {
    /** IEEE 754 binary32, 4 bytes. */
    F32(4, 0),
    /** IEEE 754 binary16 (half precision), 2 bytes. */
    F16(2, 1),
    /** bfloat16 (the upper half of a binary32), 2 bytes. */
    BF16(2, 2),
    /** 32-bit two's complement integer, 4 bytes: indices, positions, lengths. */
    I32(4, 3);

    private final int byteSize;
    private final int code;

    DType(int byteSize, int code) {
        this.byteSize = byteSize;
        this.code = code;
    }

    /**
     * The size of one element.
     *
     * @return bytes per element: 4 or 2
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * The code the native API uses for this type (see native/include/npukit/common.h).
     *
     * @return the code: F32 0, F16 1, BF16 2, I32 3
     */
    public int code() {
        return code;
    }

    /**
     * Whether this is a floating-point type.
     *
     * @return true for F32, F16 and BF16
     */
    public boolean isFloat() {
        return this != I32;
    }
}
