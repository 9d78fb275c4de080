package dev.npukit.tensor;

/**
 * The tensor arguments of one kernel call, each with the argument name its validation reports:
 * what a backend holds while the call runs (docs/tensor-lifetime.md). Implemented by the argument records in
 * {@code dev.npukit.kernels}. Indexed rather than a list so that holding them allocates nothing.
 */
public interface TensorArgs {
    /** Number of tensor arguments, absent optional ones included. */
    int tensorCount();

    /** Name of argument {@code i} ("q", "kCache", ...), as the record's validation names it. */
    String tensorName(int i);

    /** Argument {@code i}; null when the argument is absent (an optional one, or a caller's mistake). */
    Tensor tensor(int i);
}
