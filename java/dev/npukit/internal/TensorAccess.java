package dev.npukit.internal;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;

/**
 * What backends need of {@link Tensor} beyond its public API (wrapping new storage, the storage
 * and offset behind a tensor, holding it for a kernel call), reached from this unexported
 * package so that none of it is public API. {@code Tensor} installs the implementation when its
 * class is initialized.
 */
public final class TensorAccess {
    /** The operations, implemented inside {@code Tensor}. */
    public interface Hooks {
        /** See {@link TensorAccess#wrap}. */
        Tensor wrap(String device, DType dtype, long[] shape, Storage storage, MemoryAccount account);

        /** See {@link TensorAccess#storage}. */
        Storage storage(Tensor t);

        /** See {@link TensorAccess#byteOffset}. */
        long byteOffset(Tensor t);

        /** See {@link TensorAccess#tryHold}. */
        boolean tryHold(Tensor t);

        /** See {@link TensorAccess#unhold}. */
        void unhold(Tensor t);

        /** See {@link TensorAccess#hostInts}. */
        int[] hostInts(Tensor t);

        /** See {@link TensorAccess#dropHostInts}. */
        void dropHostInts(Tensor t);
    }

    private static volatile Hooks installed;

    private TensorAccess() {
    }

    /** Called once, by {@code Tensor}'s class initializer. */
    public static void install(Hooks hooks) {
        synchronized (TensorAccess.class) {
            if (installed != null) {
                throw new IllegalStateException("tensor hooks are installed already");
            }
            installed = hooks;
        }
    }

    /** The hooks, constant once loaded (initializing {@code Tensor} installs them). */
    private static final class Loaded {
        static final Hooks HOOKS = load();

        private static Hooks load() {
            try {
                Class.forName(Tensor.class.getName(), true, Tensor.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new AssertionError(e);
            }
            return installed;
        }
    }

    /**
     * Wraps storage that a backend allocated and takes ownership of it: the storage is freed when
     * the tensor and its views are closed or unreachable (at once, if this throws), and counted in
     * {@code account} meanwhile.
     */
    public static Tensor wrap(String device, DType dtype, long[] shape, Storage storage, MemoryAccount account) {
        return Loaded.HOOKS.wrap(device, dtype, shape, storage, account);
    }

    /**
     * The storage of {@code t}; only inside a {@link KernelCall} that holds {@code t} (its memory is
     * only guaranteed to exist while something holds it).
     */
    public static Storage storage(Tensor t) {
        return Loaded.HOOKS.storage(t);
    }

    /** Offset of {@code t}'s element 0 in its storage, in bytes (non-zero for views). */
    public static long byteOffset(Tensor t) {
        return Loaded.HOOKS.byteOffset(t);
    }

    /** Takes a reference on {@code t}'s memory for a kernel call; false if {@code t} is closed. */
    static boolean tryHold(Tensor t) {
        return Loaded.HOOKS.tryHold(t);
    }

    /**
     * The host copy of the contents of {@code t}'s whole storage that {@code Tensor.copyFrom(int[])}
     * keeps for index tensors, or null; {@code t}'s elements start at int {@code byteOffset(t) / 4}.
     * Only while a kernel call holds {@code t}.
     */
    public static int[] hostInts(Tensor t) {
        return Loaded.HOOKS.hostInts(t);
    }

    /** Drops the host copy of {@code t}'s storage: for a kernel that is about to write {@code t} in native code. */
    public static void dropHostInts(Tensor t) {
        Loaded.HOOKS.dropHostInts(t);
    }

    /** Drops the reference {@link #tryHold} took. */
    static void unhold(Tensor t) {
        Loaded.HOOKS.unhold(t);
    }
}
