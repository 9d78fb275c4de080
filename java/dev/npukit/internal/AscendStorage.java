package dev.npukit.internal;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.tensor.Tensor;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * Zero-filled device memory of the ascend backend, from aclrtMalloc (emulated: registered host
 * memory). Reads and writes go through aclrtMemcpy, straight from or into a direct ByteBuffer and
 * otherwise through a native staging buffer (one bulk put or get into a view of it). Freed by
 * {@link #close()}, which {@link Tensor} calls once nothing holds the memory.
 */
public final class AscendStorage implements Storage {
    private final long byteSize;
    private long address;

    /** Allocates {@code byteSize} zero-filled bytes of device memory; {@link dev.npukit.backend.NpukitException} on failure. */
    public AscendStorage(long byteSize) {
        this.byteSize = byteSize;
        try (LongPointer out = new LongPointer(1)) {
            NativeStatus.checkAscend(AscendKernels.npukit_ascend_malloc(byteSize, out));
            this.address = out.get();
        }
    }

    /** Device address of element 0 of a tensor of the ascend backend that a kernel call holds. */
    public static long address(Tensor t) {
        return ((AscendStorage) TensorAccess.storage(t)).address() + TensorAccess.byteOffset(t);
    }

    /** Device address of byte 0. */
    private long address() {
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
    public void read(long byteOffset, Buffer dst) {
        int n = Math.toIntExact(Storage.remainingBytes(dst));
        checkRange(byteOffset, n);
        if (n == 0) {
            return;
        }
        if (dst instanceof ByteBuffer direct && direct.isDirect()) {
            NativeStatus.checkAscend(AscendKernels.npukit_ascend_copy_to_host(new BytePointer(direct), address + byteOffset,
                    n));
            direct.position(direct.position() + n);
            return;
        }
        try (BytePointer stage = new BytePointer(n)) {
            NativeStatus.checkAscend(AscendKernels.npukit_ascend_copy_to_host(stage, address + byteOffset, n));
            Storage.copy(stage.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN), dst);
        }
    }

    @Override
    public void write(long byteOffset, Buffer src) {
        int n = Math.toIntExact(Storage.remainingBytes(src));
        checkRange(byteOffset, n);
        if (n == 0) {
            return;
        }
        if (src instanceof ByteBuffer direct && direct.isDirect()) {
            NativeStatus.checkAscend(AscendKernels.npukit_ascend_copy_to_device(address + byteOffset, new BytePointer(direct),
                    n));
            direct.position(direct.position() + n);
            return;
        }
        try (BytePointer stage = new BytePointer(n)) {
            Storage.copy(src, stage.asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
            NativeStatus.checkAscend(AscendKernels.npukit_ascend_copy_to_device(address + byteOffset, stage, n));
        }
    }

    @Override
    public void close() {
        if (address != 0) {
            long a = address;
            address = 0;
            NativeStatus.checkAscend(AscendKernels.npukit_ascend_free(a));
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
