package dev.npukit.tensor;

import dev.npukit.internal.MemoryAccount;
import dev.npukit.internal.Storage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A storage with a reference count. The allocating tensor holds the first reference; each view
 * holds one more; each kernel call and each copy in or out holds one while it runs. The memory
 * is freed, and uncounted from its backend's {@link MemoryAccount}, when the count drops to 0.
 * Holding is a compare-and-set on one counter: no lock, no allocation.
 */
final class SharedStorage {
    final Storage storage;
    private final long byteSize;
    private final MemoryAccount account;
    private final AtomicInteger refs = new AtomicInteger(1);
    /**
     * The whole storage's contents as ints, kept by {@link Tensor#copyFrom(int[])} of a tensor
     * that covers the storage and dropped before any other write (through the Tensor API, or by a
     * kernel that writes I32 tensors); null when not kept. Reads of I32 tensors and the ascend
     * launchers' index checks use it instead of copying from the device.
     */
    volatile int[] hostInts;

    SharedStorage(Storage storage, MemoryAccount account) {
        this.storage = storage;
        this.byteSize = storage.byteSize();
        this.account = account;
        account.allocated(byteSize);
    }

    /** Size in bytes. */
    long byteSize() {
        return byteSize;
    }

    /** Adds a reference unless the memory is already freed; false then. */
    boolean retain() {
        int r;
        do {
            r = refs.get();
            if (r == 0) {
                return false;
            }
        } while (!refs.weakCompareAndSetVolatile(r, r + 1));
        return true;
    }

    /** Drops a reference; the last one frees the memory. */
    void release() {
        int r = refs.getAndDecrement();
        if (r == 1) {
            try {
                storage.close();
            } finally {
                account.freed(byteSize);
            }
        } else if (r <= 0) {
            throw new IllegalStateException("storage released more often than it was held");
        }
    }
}
