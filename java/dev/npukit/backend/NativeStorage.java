package dev.npukit.backend;

import dev.npukit.tensor.Storage;
import java.nio.ByteBuffer;
import dev.npukit.bridge.CpuKernels;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Zero-filled native (off-heap) memory for the cpu backend (npukit_alloc: huge pages for large
 * tensors). Freed by {@link #close()}, which {@link dev.npukit.tensor.Tensor} calls once nothing
 * holds the memory any more.
 */
final class NativeStorage implements Storage {
    private final long byteSize;
    private BytePointer memory;

    NativeStorage(long byteSize) {
        this.byteSize = byteSize;
        Pointer raw = CpuKernels.npukit_alloc(byteSize);
        if (raw == null || raw.isNull()) {
            throw new NpukitException("out of native memory allocating " + byteSize + " bytes");
        }
        this.memory = new BytePointer(raw);
    }

    /** Native address of byte 0. */
    long address() {
        if (memory == null) {
            throw new IllegalStateException("native storage is closed");
        }
        return memory.address();
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public void read(long byteOffset, ByteBuffer dst) {
        int n = dst.remaining();
        checkRange(byteOffset, n);
        new BytePointer(memory).position(byteOffset).get(dst.array(), dst.arrayOffset() + dst.position(), n);
        dst.position(dst.position() + n);
    }

    @Override
    public void write(long byteOffset, ByteBuffer src) {
        int n = src.remaining();
        checkRange(byteOffset, n);
        new BytePointer(memory).position(byteOffset).put(src.array(), src.arrayOffset() + src.position(), n);
        src.position(src.position() + n);
    }

    @Override
    public void close() {
        if (memory != null) {
            CpuKernels.npukit_free(memory);
            memory = null;
        }
    }

    private void checkRange(long offset, int n) {
        if (memory == null) {
            throw new IllegalStateException("native storage is closed");
        }
        if (offset < 0 || offset > byteSize - n) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + n) + ") outside " + byteSize);
        }
    }
}
