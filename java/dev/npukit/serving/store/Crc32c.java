package dev.npukit.serving.store;

import dev.npukit.bridge.Checksums;
import dev.npukit.bridge.CpuKernels;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A running CRC32C (Castagnoli), bit for bit {@link CRC32C}'s value, over buffers fed in order: what the store
 * checks every entry with. Direct buffers are checksummed by the cpu library's {@code npukit_crc32c}
 * (native/include/npukit/checksum.h) when it runs its 512-bit carry-less multiplication path on 512-bit units at
 * full width, where it is faster than the JVM's CRC32C intrinsic (docs/chunk-store.md, Checksum); otherwise, and
 * when the native library is absent, everything goes through {@link CRC32C}. Heap buffers always do: their CRC is
 * then joined to the running one ({@link #combine}). Not thread-safe; a checksum handed between threads needs a
 * happens-before edge, as a {@code CompletableFuture} chain gives.
 */
final class Crc32c {
    /** The native library's code path ({@code npukit_crc32c_path}), or null when it does not load. */
    static final String NATIVE_PATH = nativePath();
    /**
     * Whether direct buffers go to the native code: on its 512-bit path with 512-bit operations at full width (the
     * library's {@code avx512-512bit} feature) only. Its 128-bit path (PCLMULQDQ alone), its CRC32-instruction path,
     * and its 512-bit path where 512-bit operations are split in two (Zen 4) are slower than the JVM's intrinsic on
     * the processors measured (docs/chunk-store.md, Checksum).
     */
    static final boolean NATIVE = "vpclmulqdq".equals(NATIVE_PATH) && fullWidth512();

    /** P without its x^32 term, bit-reflected (bit 31 - i holds x^i). */
    private static final int POLY = 0x82F63B78;
    /** X2N[k] = x^(2^k) mod P, reflected: the factors of a shift over any byte count. */
    private static final int[] X2N = new int[64];

    static {
        X2N[0] = 0x40000000; // x^1
        for (int k = 1; k < X2N.length; k++) {
            X2N[k] = multiply(X2N[k - 1], X2N[k - 1]);
        }
    }

    private final CRC32C java = NATIVE ? null : new CRC32C();
    private int value;

    /** An empty checksum: {@link #value()} is 0. */
    Crc32c() {
    }

    private static boolean fullWidth512() {
        return CpuKernels.npukit_cpu_features().getString().contains("avx512-512bit");
    }

    private static String nativePath() {
        try {
            Checksums.load();
            return Checksums.npukit_crc32c_path().getString();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return null;
        }
    }

    /**
     * Adds {@code b}'s remaining bytes, as {@link CRC32C#update(ByteBuffer)} does: the position moves to the limit.
     *
     * @param b the next bytes
     */
    void update(ByteBuffer b) {
        if (java != null) {
            java.update(b);
        } else if (b.isDirect()) {
            value = ofDirect(value, b, b.position(), b.remaining());
            b.position(b.limit());
        } else {
            int n = b.remaining();
            CRC32C c = new CRC32C();
            c.update(b);
            value = combine(value, (int) c.getValue(), n);
        }
    }

    /**
     * The CRC32C of the bytes fed so far.
     *
     * @return the value {@link CRC32C#getValue()} gives for the same bytes, as an int (its 32 bits)
     */
    int value() {
        return java != null ? (int) java.getValue() : value;
    }

    /**
     * The CRC32C of bytes {@code [offset, offset + length)} of the direct buffer {@code buf} (absolute indices;
     * position and limit untouched except that the range must lie below the limit), continued from {@code crc}, the
     * CRC32C of the bytes before them (0 for none), by the native code on whichever path it runs.
     *
     * @param crc the CRC32C of the preceding bytes
     * @param buf a direct buffer
     * @param offset the first byte's index, &gt;= 0
     * @param length bytes, &gt;= 0, with {@code offset + length <= buf.limit()}
     * @return the CRC32C of the preceding bytes followed by these
     * @throws IllegalArgumentException naming the argument: {@code buf} null or not direct, {@code offset} or
     *     {@code length} negative, or the range past {@code buf}'s limit
     * @throws IllegalStateException if the native library is not loaded ({@link #NATIVE_PATH} null)
     */
    static int ofDirect(int crc, ByteBuffer buf, int offset, int length) {
        // Explicit checks, not Check.arg: its varargs would box per call on the read path.
        if (buf == null) {
            throw new IllegalArgumentException("buf: is null");
        }
        if (!buf.isDirect()) {
            throw new IllegalArgumentException("buf: must be a direct buffer (the native code reads its memory)");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset: is " + offset + ", must be >= 0");
        }
        if (length < 0) {
            throw new IllegalArgumentException("length: is " + length + ", must be >= 0");
        }
        if (offset > buf.limit() - length) {
            throw new IllegalArgumentException("length: bytes [" + offset + ", " + ((long) offset + length)
                    + ") run past the buffer's limit " + buf.limit());
        }
        if (NATIVE_PATH == null) {
            throw new IllegalStateException("the native CRC32C is unavailable: the cpu library did not load");
        }
        // JavaCPP passes the buffer's address plus its position.
        ByteBuffer at = offset == buf.position() ? buf : buf.duplicate().clear().position(offset);
        long r = Checksums.npukit_crc32c(crc, at, length);
        if (r < 0) {
            throw new IllegalStateException("npukit_crc32c failed with status " + -r);
        }
        return (int) r;
    }

    /**
     * The CRC32C of bytes A then B from the CRC32C of each: {@code crcA} shifted over B's {@code lengthB} bytes
     * (times x^(8 lengthB) mod P), plus {@code crcB}. The complements CRC32C applies at both ends cancel in this
     * sum.
     *
     * @param crcA the CRC32C of A
     * @param crcB the CRC32C of B
     * @param lengthB B's length in bytes, &gt;= 0
     * @return the CRC32C of A followed by B
     */
    static int combine(int crcA, int crcB, long lengthB) {
        int shifted = crcA;
        long bits = lengthB << 3;
        for (int k = 0; bits != 0; k++, bits >>>= 1) {
            if ((bits & 1) != 0) {
                shifted = multiply(shifted, X2N[k]);
            }
        }
        return shifted ^ crcB;
    }

    /** a * b mod P, both reflected: b times each power of x present in a. */
    private static int multiply(int a, int b) {
        int product = 0;
        for (int i = 0; i < 32; i++) {
            if ((a & (0x80000000 >>> i)) != 0) {
                product ^= b;
            }
            b = (b >>> 1) ^ ((b & 1) != 0 ? POLY : 0);
        }
        return product;
    }
}
