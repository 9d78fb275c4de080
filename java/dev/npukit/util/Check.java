package dev.npukit.util;

import dev.npukit.internal.TensorAccess;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;

/**
 * Argument checks shared by the argument records. Every failure is an
 * {@link IllegalArgumentException} whose message starts with the argument's name.
 */
public final class Check {
    private Check() {
    }

    /** Throws unless {@code condition}; the message is "name: " + the formatted detail. */
    public static void arg(boolean condition, String name, String format, Object... values) {
        if (!condition) {
            throw new IllegalArgumentException(name + ": " + String.format(format, values));
        }
    }

    /**
     * Every entry of {@code values} lies in [lo, hi); else the message names the first that does
     * not: "name: entry i is v, outside [lo, hi)" + {@code suffix}. Per-call index checks go
     * through here rather than {@link #arg} in a loop, which would box every entry.
     */
    public static void entriesInRange(String name, int[] values, long lo, long hi, String suffix) {
        for (int i = 0; i < values.length; i++) {
            if (values[i] < lo || values[i] >= hi) {
                throw new IllegalArgumentException(
                        name + ": entry " + i + " is " + values[i] + ", outside [" + lo + ", " + hi + ")" + suffix);
            }
        }
    }

    /** A non-null, open tensor on {@code device} with one of the allowed dtypes and the given rank. */
    public static Tensor tensor(String name, Tensor t, String device, int rank, DType... allowed) {
        arg(t != null, name, "is null");
        arg(!t.isClosed(), name, "tensor is closed");
        arg(t.device().equals(device), name, "tensor lives on backend '%s', but this call runs on '%s'",
                t.device(), device);
        arg(Arrays.asList(allowed).contains(t.dtype()), name, "dtype is %s, expected one of %s", t.dtype(),
                Arrays.toString(allowed));
        arg(t.rank() == rank, name, "rank is %d (shape %s), expected %d", t.rank(), Arrays.toString(t.shape()),
                rank);
        return t;
    }

    /** Dimension {@code i} of {@code t} equals {@code expected}. */
    public static void dim(String name, Tensor t, int i, long expected, String what) {
        arg(t.dim(i) == expected, name, "dimension %d is %d (shape %s), expected %d (%s)", i, t.dim(i),
                Arrays.toString(t.shape()), expected, what);
    }

    /** {@code v} fits in a Java int, for dimensions that the native API takes as int32. */
    public static int toInt(String name, long v) {
        arg(v >= 0 && v <= Integer.MAX_VALUE, name, "size %d is out of range", v);
        return (int) v;
    }

    /**
     * {@code t} and {@code other} (both validated, non-null) share no memory: a kernel that writes
     * {@code t} while it reads {@code other} would otherwise read its own output. Views of one
     * allocation overlap when their byte ranges do.
     */
    public static void disjoint(String name, Tensor t, String otherName, Tensor other) {
        boolean shared = TensorAccess.storage(t) == TensorAccess.storage(other)
                && TensorAccess.byteOffset(t) < TensorAccess.byteOffset(other) + other.byteSize()
                && TensorAccess.byteOffset(other) < TensorAccess.byteOffset(t) + t.byteSize();
        arg(!shared, name, "shares memory with %s; it must be a separate tensor", otherName);
    }
}
