package dev.npukit.mepic;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A chunk's identity: the SHA-256 of its padded token sequence (each token as 4 big-endian bytes).
 *
 * @param w0 digest bytes 0..7, big-endian
 * @param w1 digest bytes 8..15, big-endian
 * @param w2 digest bytes 16..23, big-endian
 * @param w3 digest bytes 24..31, big-endian
 */
public record ChunkId(long w0, long w1, long w2, long w3) {
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    });
    private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[4096]);

    /**
     * The identity of a chunk of {@code tokens} after {@code pads} leading {@code padToken}s, without
     * building the padded array.
     */
    static ChunkId of(int padToken, int pads, int[] tokens) {
        MessageDigest md = SHA256.get();
        byte[] buf = BUFFER.get();
        int n = 0;
        for (int i = 0; i < pads; i++) {
            n = put(buf, n, padToken);
        }
        for (int t : tokens) {
            if (n == buf.length) {
                md.update(buf, 0, n);
                n = 0;
            }
            n = put(buf, n, t);
        }
        md.update(buf, 0, n);
        byte[] d = md.digest();
        return new ChunkId(word(d, 0), word(d, 8), word(d, 16), word(d, 24));
    }

    /**
     * The identity of an already padded chunk sequence, as {@link CacheManager} computes it for a chunk segment.
     *
     * @param paddedTokens the chunk's tokens after its leading pad tokens
     * @return the SHA-256 of the tokens, each as 4 big-endian bytes
     */
    public static ChunkId ofPadded(int[] paddedTokens) {
        return of(0, 0, paddedTokens);
    }

    private static int put(byte[] buf, int n, int v) {
        buf[n] = (byte) (v >>> 24);
        buf[n + 1] = (byte) (v >>> 16);
        buf[n + 2] = (byte) (v >>> 8);
        buf[n + 3] = (byte) v;
        return n + 4;
    }

    private static long word(byte[] d, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (d[at + i] & 0xffL);
        }
        return v;
    }

    @Override
    public String toString() {
        return String.format("%016x%016x%016x%016x", w0, w1, w2, w3);
    }
}
