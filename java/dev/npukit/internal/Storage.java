package dev.npukit.internal;

import dev.npukit.tensor.Tensor;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * The memory behind a tensor, owned by one backend: a Java heap buffer (reference), native
 * memory (cpu) or device memory (ascend). Bytes are little-endian, elements row-major.
 *
 * <p>Copies in and out take a {@link ByteBuffer} (raw bytes), {@link ShortBuffer},
 * {@link IntBuffer} or {@link FloatBuffer}, heap or direct, of at most {@link #MAX_COPY_BYTES}
 * bytes: they move the buffer's remaining elements and advance its position, as java.nio bulk
 * operations do. A multi-byte element is little-endian in the storage whatever the buffer's
 * order; a typed buffer is read and written as Java values (its own order applies).
 *
 * <p>Implementations do not count references: {@link Tensor} does, and calls {@link #close()}
 * once, when the last tensor, view and kernel call holding the memory has let go of it.
 */
public interface Storage extends AutoCloseable {
    /** The most bytes one {@link #read} or {@link #write} moves; {@link Tensor} splits larger copies. */
    int MAX_COPY_BYTES = 1 << 30;

    /** Size in bytes. */
    long byteSize();

    /** Copies the bytes starting at {@code byteOffset} into the remaining elements of {@code dst}. */
    void read(long byteOffset, Buffer dst);

    /** Copies the remaining elements of {@code src} to the bytes starting at {@code byteOffset}. */
    void write(long byteOffset, Buffer src);

    /** Frees the memory. Called once, when nothing holds the storage any more. */
    @Override
    void close();

    /** Bytes of one element of {@code b}: 1, 2 or 4; IllegalArgumentException for another buffer type. */
    static int elementBytes(Buffer b) {
        if (b instanceof ByteBuffer) {
            return 1;
        } else if (b instanceof ShortBuffer) {
            return 2;
        } else if (b instanceof IntBuffer || b instanceof FloatBuffer) {
            return 4;
        }
        throw new IllegalArgumentException("buffer: " + b.getClass().getSimpleName()
                + " is not a ByteBuffer, ShortBuffer, IntBuffer or FloatBuffer");
    }

    /** Bytes in the remaining elements of {@code b}. */
    static long remainingBytes(Buffer b) {
        return (long) b.remaining() * elementBytes(b);
    }

    /**
     * One bulk copy from {@code bytes} (little-endian, exactly as many bytes as {@code dst} has
     * remaining) into {@code dst}; both positions advance.
     */
    static void copy(ByteBuffer bytes, Buffer dst) {
        if (dst instanceof ByteBuffer b) {
            b.put(bytes);
        } else if (dst instanceof ShortBuffer s) {
            s.put(bytes.asShortBuffer());
        } else if (dst instanceof IntBuffer i) {
            i.put(bytes.asIntBuffer());
        } else if (dst instanceof FloatBuffer f) {
            f.put(bytes.asFloatBuffer());
        } else {
            elementBytes(dst);
        }
        bytes.position(bytes.limit());
    }

    /**
     * One bulk copy from {@code src} into {@code bytes} (little-endian, exactly as many bytes as
     * {@code src} has remaining); both positions advance.
     */
    static void copy(Buffer src, ByteBuffer bytes) {
        if (src instanceof ByteBuffer b) {
            bytes.put(b);
        } else if (src instanceof ShortBuffer s) {
            bytes.asShortBuffer().put(s);
        } else if (src instanceof IntBuffer i) {
            bytes.asIntBuffer().put(i);
        } else if (src instanceof FloatBuffer f) {
            bytes.asFloatBuffer().put(f);
        } else {
            elementBytes(src);
        }
        bytes.position(bytes.limit());
    }
}
