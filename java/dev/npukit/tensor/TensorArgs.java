package dev.npukit.tensor;

/**
 * The tensor arguments of one kernel call, each with the argument name its validation reports:
 * what a backend holds while the call runs (docs/tensor-lifetime.md). Implemented by the argument records in
 * {@code dev.npukit.kernels}. Indexed rather than a list so that holding them allocates nothing.
 */
public interface TensorArgs {
    /**
     * The kernel's tensor arguments: names in {@link #tensor(int)} order, and which it writes.
     *
     * @return the slots, the same for every call of the kernel
     */
    TensorSlots slots();

    /**
     * The number of tensor arguments.
     *
     * @return the count, absent optional ones included
     */
    default int tensorCount() {
        return slots().count();
    }

    /**
     * The name of one tensor argument.
     *
     * @param i the argument, in [0, {@link #tensorCount()})
     * @return its name ("q", "kCache", ...), as the record's validation names it
     */
    default String tensorName(int i) {
        return slots().name(i);
    }

    /**
     * One tensor argument.
     *
     * @param i the argument, in [0, {@link #tensorCount()})
     * @return the tensor; null when the argument is absent (an optional one, or a caller's mistake)
     */
    Tensor tensor(int i);

    /**
     * Whether the kernel writes one tensor argument. A backend drops what it knows of a written
     * tensor's contents before the call (the host copy an index tensor keeps).
     *
     * @param i the argument, in [0, {@link #tensorCount()})
     * @return true for an output (or an argument updated in place)
     */
    default boolean written(int i) {
        return slots().written(i);
    }
}
