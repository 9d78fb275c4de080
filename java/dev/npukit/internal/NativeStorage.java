package dev.npukit.internal;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import dev.npukit.backend.NpukitException;
import dev.npukit.bridge.CpuKernels;
import dev.npukit.tensor.Tensor;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Zero-filled native (off-heap) memory for the cpu backend (npukit_alloc: huge pages for large
 * tensors). Freed by {@link #close()}, which {@link Tensor} calls once nothing
 * holds the memory any more.
 */
public final class NativeStorage implements Storage {
    private final long byteSize;
    private BytePointer memory;

    /** Allocates {@code byteSize} zero-filled bytes; {@link NpukitException} when the allocation fails. */
    public NativeStorage(long byteSize) {
        this.byteSize = byteSize;
        Pointer raw = CpuKernels.npukit_alloc(byteSize);
        if (raw == null || raw.isNull()) {
            throw new NpukitException("out of native memory allocating " + byteSize + " bytes");
        }
        this.memory = new BytePointer(raw);
    }

    /** Native address of element 0 of a tensor of the cpu backend that a kernel call holds. */
    public static long address(Tensor t) {
        return ((NativeStorage) TensorAccess.storage(t)).address() + TensorAccess.byteOffset(t);
    }

    /** Native address of byte 0. */
    private long address() {
        if (memory == null) {
            throw new IllegalStateException("native storage is closed");
        }
        return memory.address();
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    /** Copies with one bulk get from a direct-buffer view of the native memory. */
    @Override
    public void read(long byteOffset, Buffer dst) {
        ByteBuffer view = view(byteOffset, Storage.remainingBytes(dst));
        if (view != null) {
            Storage.copy(view, dst);
        }
    }

    /** Copies with one bulk put into a direct-buffer view of the native memory. */
    @Override
    public void write(long byteOffset, Buffer src) {
        ByteBuffer view = view(byteOffset, Storage.remainingBytes(src));
        if (view != null) {
            Storage.copy(src, view);
        }
    }

    /** Bytes [offset, offset + n) of the native memory as a little-endian direct buffer; null when n is 0. */
    private ByteBuffer view(long offset, long n) {
        checkRange(offset, n);
        if (n == 0) {
            return null;  // asByteBuffer() would view one byte for an empty range
        }
        // A pointer at the offset itself: JavaCPP's asByteBuffer() applies a position as an int,
        // which overflows past 2 GiB.
        return memory.getPointer(offset).limit(n).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        if (memory != null) {
            CpuKernels.npukit_free(memory);
            memory = null;
        }
    }

    private void checkRange(long offset, long n) {
        if (memory == null) {
            throw new IllegalStateException("native storage is closed");
        }
        if (offset < 0 || offset > byteSize - n) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + n) + ") outside " + byteSize);
        }
    }
}
