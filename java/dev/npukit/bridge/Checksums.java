package dev.npukit.bridge;

import java.nio.ByteBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JNI entry points of the cpu library's checksums and checked file reads (native/include/npukit/checksum.h).
 * Compiled into the same JNI library as {@link CpuKernels} ({@code library} below), sharing its copy of the static
 * kernel library. Only {@code dev.npukit.serving.store} calls this class, after checking the arguments.
 */
@Platform(include = {"npukit/common.h", "npukit/checksum.h"}, link = "npukit_cpu", library = "jniCpuKernels")
public final class Checksums {
    static {
        Loader.load();
    }

    private Checksums() {
    }

    /** Loads the native library; throws {@link UnsatisfiedLinkError} if it cannot. */
    public static void load() {
        Loader.load(Checksums.class);
    }

    /**
     * The CRC32C of {@code bytes} bytes of the direct buffer {@code data} from its position, continued from
     * {@code crc}: returns the CRC32C (as an unsigned 32-bit value) or a negative status. JavaCPP passes the buffer's
     * address plus its position; the caller guarantees that {@code data} is direct and holds the bytes.
     */
    public static native long npukit_crc32c(@Cast("uint32_t") int crc, @Cast("const void*") ByteBuffer data,
            long bytes);

    /**
     * Reads the file at {@code path} (NUL-terminated, in the file system's encoding) from its first byte into
     * {@code header}, {@code payload} and {@code trailer} (up to the given byte counts, from each buffer's position),
     * on the kernels' thread pool, and sets {@code crc[0]} to the CRC32C of the header and payload bytes read: returns
     * the bytes read, fewer where the file ends first, or a negative status (message in
     * {@link CpuKernels#npukit_last_error()}). The caller guarantees that the buffers are direct, hold those bytes and
     * do not overlap.
     */
    public static native long npukit_read_checksummed(@Cast("const char*") byte[] path,
            @Cast("void*") ByteBuffer header, long headerBytes, @Cast("void*") ByteBuffer payload, long payloadBytes,
            @Cast("void*") ByteBuffer trailer, long trailerBytes, @Cast("uint32_t*") int[] crc);

    /** The code path {@link #npukit_crc32c} runs on this processor. */
    public static native @Cast("const char*") BytePointer npukit_crc32c_path();
}
