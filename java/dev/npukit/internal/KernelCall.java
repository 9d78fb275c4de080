package dev.npukit.internal;

import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;

/**
 * Holds the tensors of one kernel call while it runs, so that {@link Tensor#close()} on another
 * thread cannot free memory under it: {@link #begin} takes a reference on each tensor's storage
 * (a compare-and-set each), {@link #end} drops them, and the memory of a tensor closed meanwhile
 * is freed then. A tensor closed before {@code begin} fails the call with an
 * {@link IllegalArgumentException} "name: tensor is closed".
 *
 * <p>While its call runs, the calling thread can still read and write the tensors it holds
 * through {@link Tensor}'s methods even if another thread closes one of them: argument
 * validation and the reference kernels work that way, and must not fail half-way.
 *
 * <p>Use: {@code TensorArgs outer = KernelCall.begin(args); try { ... } finally { KernelCall.end(args, outer); }}
 */
public final class KernelCall {
    /** The arguments of the kernel call running on this thread, or null. */
    private static final ThreadLocal<TensorArgs> RUNNING = new ThreadLocal<>();

    private KernelCall() {
    }

    /**
     * Holds every tensor of {@code args}; throws {@link IllegalArgumentException} naming the first
     * closed one (holding none then). Drops the kept host copy of every tensor the kernel writes
     * ({@link TensorArgs#written}), which would be stale after it. Returns the call this one runs
     * inside (usually null), to be passed to {@link #end}.
     */
    public static TensorArgs begin(TensorArgs args) {
        int n = args.tensorCount();
        for (int i = 0; i < n; i++) {
            Tensor t = args.tensor(i);
            if (t != null && !TensorAccess.tryHold(t)) {
                releaseFirst(args, i);
                throw new IllegalArgumentException(args.tensorName(i) + ": tensor is closed");
            }
        }
        for (int i = 0; i < n; i++) {
            if (args.written(i) && args.tensor(i) != null) {
                TensorAccess.dropHostInts(args.tensor(i));
            }
        }
        TensorArgs outer = RUNNING.get();
        RUNNING.set(args);
        return outer;
    }

    /** Releases what {@link #begin} held. */
    public static void end(TensorArgs args, TensorArgs outer) {
        RUNNING.set(outer);
        releaseFirst(args, args.tensorCount());
    }

    /** True when the kernel call running on this thread holds {@code t}. */
    public static boolean heldByThisThread(Tensor t) {
        TensorArgs args = RUNNING.get();
        if (args == null) {
            return false;
        }
        for (int i = 0; i < args.tensorCount(); i++) {
            if (args.tensor(i) == t) {
                return true;
            }
        }
        return false;
    }

    private static void releaseFirst(TensorArgs args, int count) {
        for (int i = 0; i < count; i++) {
            Tensor t = args.tensor(i);
            if (t != null) {
                TensorAccess.unhold(t);
            }
        }
    }
}
