package dev.npukit.tensor;

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

    @Override
    public void read(long byteOffset, ByteBuffer dst) {
        dst.put(buffer.slice((int) byteOffset, dst.remaining()));
    }

    @Override
    public void write(long byteOffset, ByteBuffer src) {
        buffer.put((int) byteOffset, src, src.position(), src.remaining());
        src.position(src.limit());
    }

    @Override
    public void close() {
        buffer = null;
    }
}
