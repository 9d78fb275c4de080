package dev.npukit.backend;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.tensor.Storage;
import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * Zero-filled device memory of the ascend backend, from aclrtMalloc (emulated: registered host
 * memory). Reads and writes go through aclrtMemcpy via a native staging buffer. Freed by
 * {@link #close()}, which {@link dev.npukit.tensor.Tensor} calls once nothing holds the memory.
 */
final class AscendStorage implements Storage {
    private final long byteSize;
    private long address;

    AscendStorage(long byteSize) {
        this.byteSize = byteSize;
        try (LongPointer out = new LongPointer(1)) {
            AscendBackend.check(AscendKernels.npukit_ascend_malloc(byteSize, out));
            this.address = out.get();
        }
    }

    /** Device address of byte 0. */
    long address() {
        if (address == 0) {
            throw new IllegalStateException("device storage is closed");
        }
        return address;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public void read(long byteOffset, ByteBuffer dst) {
        int n = dst.remaining();
        checkRange(byteOffset, n);
        try (BytePointer stage = new BytePointer(Math.max(1, n))) {
            AscendBackend.check(AscendKernels.npukit_ascend_copy_to_host(stage, address + byteOffset, n));
            stage.get(dst.array(), dst.arrayOffset() + dst.position(), n);
        }
        dst.position(dst.position() + n);
    }

    @Override
    public void write(long byteOffset, ByteBuffer src) {
        int n = src.remaining();
        checkRange(byteOffset, n);
        try (BytePointer stage = new BytePointer(Math.max(1, n))) {
            stage.put(src.array(), src.arrayOffset() + src.position(), n);
            AscendBackend.check(AscendKernels.npukit_ascend_copy_to_device(address + byteOffset, stage, n));
        }
        src.position(src.position() + n);
    }

    @Override
    public void close() {
        if (address != 0) {
            long a = address;
            address = 0;
            AscendBackend.check(AscendKernels.npukit_ascend_free(a));
        }
    }

    private void checkRange(long offset, int n) {
        if (address == 0) {
            throw new IllegalStateException("device storage is closed");
        }
        if (offset < 0 || offset > byteSize - n) {
            throw new IndexOutOfBoundsException("bytes [" + offset + ", " + (offset + n) + ") outside " + byteSize);
        }
    }
}
