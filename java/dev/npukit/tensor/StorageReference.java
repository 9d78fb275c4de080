package dev.npukit.tensor;

import java.lang.ref.Cleaner;
import java.util.Locale;

/**
 * One tensor's reference on its storage (an allocation's or a view's), dropped by
 * {@link Tensor#close()} or, if the tensor becomes unreachable unclosed, by a shared
 * {@link Cleaner} after garbage collection.
 *
 * <p>Leak detection: with the system property {@code npukit.leakDetection=true} or the
 * environment variable {@code NPUKIT_LEAK_DETECTION=true}, each tensor creation records its stack
 * (only then: it costs a stack walk), and each reference the cleaner drops is logged at WARNING
 * on the {@link System.Logger} {@code dev.npukit.tensor} with that stack.
 */
final class StorageReference {
    static final boolean LEAK_DETECTION = Boolean.getBoolean("npukit.leakDetection")
            || "true".equals(String.valueOf(System.getenv("NPUKIT_LEAK_DETECTION")).toLowerCase(Locale.ROOT));

    private static final Cleaner CLEANER = Cleaner.create(runnable -> {
        Thread t = new Thread(runnable, "npukit-tensor-cleaner");
        t.setDaemon(true);
        return t;
    });

    private static final System.Logger LOG = System.getLogger("dev.npukit.tensor");

    private final Drop drop;
    private final Cleaner.Cleanable cleanable;

    /**
     * Registers {@code tensor}'s reference on {@code storage}, which the caller has already
     * counted (the initial reference, or one retained for a view).
     */
    StorageReference(Tensor tensor, SharedStorage storage) {
        this.drop = new Drop(storage, LEAK_DETECTION ? new Throwable(tensor + " created here") : null);
        this.cleanable = CLEANER.register(tensor, drop);
    }

    /** Drops the reference now (close); later calls do nothing. */
    void release() {
        drop.byClose = true;
        cleanable.clean();
    }

    /** The cleaning action. It must not reference the tensor, or the tensor would never become unreachable. */
    private static final class Drop implements Runnable {
        private final SharedStorage storage;
        private final Throwable allocationSite;
        private volatile boolean byClose;

        Drop(SharedStorage storage, Throwable allocationSite) {
            this.storage = storage;
            this.allocationSite = allocationSite;
        }

        @Override
        public void run() {
            if (!byClose && allocationSite != null) {
                LOG.log(System.Logger.Level.WARNING, "npukit: a tensor was not closed; the garbage collector "
                        + "released it. It was created at:", allocationSite);
            }
            storage.release();
        }
    }
}
