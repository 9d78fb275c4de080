package dev.npukit.internal;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Storage on the Java heap, used by the reference backend. */
public final class HeapStorage implements Storage {
    private ByteBuffer buffer;

    public HeapStorage(long byteSize) {
        if (byteSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "the reference backend holds at most 2 GiB per tensor, asked for " + byteSize + " bytes");
        }
        this.buffer = ByteBuffer.allocate((int) byteSize).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The backing buffer (little-endian, position 0); valid while a tensor or kernel call holds it. */
    public ByteBuffer buffer() {
        return buffer;
    }

    @Override
    public long byteSize() {
        return buffer.capacity();
    }

    /** Copies with one bulk get from a view of the backing buffer. */
    @Override
    public void read(long byteOffset, Buffer dst) {
        Storage.copy(view(byteOffset, dst), dst);
    }

    /** Copies with one bulk put into a view of the backing buffer. */
    @Override
    public void write(long byteOffset, Buffer src) {
        Storage.copy(src, view(byteOffset, src));
    }

    /** The bytes a copy of {@code b}'s remaining elements at {@code byteOffset} touches, little-endian. */
    private ByteBuffer view(long byteOffset, Buffer b) {
        return buffer.slice(Math.toIntExact(byteOffset), Math.toIntExact(Storage.remainingBytes(b)))
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public void close() {
        buffer = null;
    }
}
