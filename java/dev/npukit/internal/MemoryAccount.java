package dev.npukit.internal;

import dev.npukit.tensor.MemoryStats;
import dev.npukit.tensor.Tensor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One backend's count of the tensor memory it holds, kept by {@link Tensor}: an allocation is
 * counted when {@link TensorAccess#wrap} gives its storage to a {@link Tensor} and uncounted when the storage is freed.
 */
public final class MemoryAccount {
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong tensors = new AtomicLong();
    private final AtomicLong peakBytes = new AtomicLong();

    /**
     * The figures now. Each is exact on its own; read while other threads allocate or free, they
     * can be from slightly different moments.
     */
    public MemoryStats stats() {
        return new MemoryStats(bytes.get(), tensors.get(), peakBytes.get());
    }

    /** Counts a new allocation of {@code byteSize} bytes. */
    public void allocated(long byteSize) {
        tensors.incrementAndGet();
        long now = bytes.addAndGet(byteSize);
        peakBytes.accumulateAndGet(now, Math::max);
    }

    /** Uncounts a freed allocation of {@code byteSize} bytes. */
    public void freed(long byteSize) {
        bytes.addAndGet(-byteSize);
        tensors.decrementAndGet();
    }
}
