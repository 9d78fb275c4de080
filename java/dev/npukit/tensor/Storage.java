package dev.npukit.tensor;

import java.nio.ByteBuffer;

/**
 * The memory behind a tensor, owned by one backend: a Java heap buffer (reference), native
 * memory (cpu) or device memory (ascend). Bytes are little-endian, elements row-major.
 *
 * <p>Implementations do not count references: {@link Tensor} does, and calls {@link #close()}
 * once, when the last tensor, view and kernel call holding the memory has let go of it.
 */
public interface Storage extends AutoCloseable {
    /** Size in bytes. */
    long byteSize();

    /** Copies {@code dst.remaining()} bytes starting at {@code byteOffset} into {@code dst}. */
    void read(long byteOffset, ByteBuffer dst);

    /** Copies {@code src.remaining()} bytes from {@code src} to {@code byteOffset}. */
    void write(long byteOffset, ByteBuffer src);

    /** Frees the memory. Called once, when nothing holds the storage any more. */
    @Override
    void close();
}
