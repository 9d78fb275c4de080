package dev.npukit.serving.store;

import dev.npukit.mepic.ChunkId;
import dev.npukit.serving.store.BadEntryException.Reason;
import dev.npukit.tensor.DType;
import dev.npukit.util.Check;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.zip.CRC32C;

/**
 * The stored form of a {@link ChunkKv}, the same on disk and in Redis: a header, the payload, and a CRC32C of
 * both. All integers little-endian.
 *
 * <pre>
 * offset  size  field
 *      0     4  magic "NPKV"
 *      4     4  format version (2)
 *      8     4  header bytes H (where the payload starts: a multiple of 4096)
 *     12     4  dtype code (F32 0, F16 1, BF16 2)
 *     16     4  block size
 *     20     4  first layer
 *     24     4  end layer (exclusive)
 *     28     4  blocks
 *     32     4  KV heads
 *     36     4  head dim
 *     40     8  payload bytes P
 *     48    32  chunk id (SHA-256 of the padded tokens)
 *     80     4  model fingerprint bytes M
 *     84     M  model fingerprint (UTF-8)
 *  84 + M        zeros up to H
 *      H     P  payload ({@link ChunkKv}'s layout)
 *  H + P     4  CRC32C of bytes [0, H + P)
 * </pre>
 *
 * The header is padded to a whole number of 4 KiB pages so that the payload of a file starts on a page: the
 * kernel copies a page-aligned file range out of the page cache faster (docs/chunk-store.md, Measured). Decoding
 * checks every field against the key asked for and the checksum before any payload byte is used; the payload is
 * only ever copied as numbers, never interpreted as anything else.
 */
final class ChunkCodec {
    static final int MAGIC = 0x564b504e; // "NPKV" read little-endian
    static final int VERSION = 2;
    static final int FIXED_HEADER = 84;
    /** Headers fill whole pages of this size. */
    static final int HEADER_ALIGN = 4096;
    /** The largest header: the fixed fields and the longest model fingerprint, padded. */
    static final int MAX_HEADER_BYTES = padded(FIXED_HEADER + ChunkKey.MAX_MODEL_BYTES);
    static final int TRAILER = 4;
    /** Payload limit: one buffer, minus room for the header and trailer. */
    static final int MAX_PAYLOAD_BYTES = Integer.MAX_VALUE - 64 * 1024;

    private ChunkCodec() {
    }

    /** Bytes of the whole stored entry of {@code kv}. */
    static long entryBytes(ChunkKv kv) {
        return headerBytes(kv.key()) + (long) kv.bytes() + TRAILER;
    }

    /** Bytes of the header of an entry of {@code key}. */
    static int headerBytes(ChunkKey key) {
        return padded(FIXED_HEADER + key.model().getBytes(StandardCharsets.UTF_8).length);
    }

    /** {@code bytes} rounded up to whole header pages. */
    private static int padded(int bytes) {
        return (bytes + HEADER_ALIGN - 1) / HEADER_ALIGN * HEADER_ALIGN;
    }

    /** The header of {@code kv}'s entry, position 0, ready to write. */
    static ByteBuffer header(ChunkKv kv) {
        ChunkKey k = kv.key();
        byte[] model = k.model().getBytes(StandardCharsets.UTF_8);
        int bytes = padded(FIXED_HEADER + model.length);
        ByteBuffer h = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC).putInt(VERSION).putInt(bytes).putInt(k.dtype().code())
                .putInt(k.blockSize()).putInt(k.firstLayer()).putInt(k.endLayer()).putInt(kv.numBlocks())
                .putInt(kv.numKvHeads()).putInt(kv.headDim()).putLong(kv.bytes()).put(ChunkKey.chunkBytes(k.chunk()))
                .putInt(model.length).put(model);
        return h.clear();
    }

    /** The trailer (CRC32C of header then payload), position 0, ready to write. */
    static ByteBuffer trailer(ByteBuffer header, ChunkKv kv) {
        Crc32c crc = new Crc32c();
        crc.update(header.duplicate());
        crc.update(kv.payload());
        return ByteBuffer.allocate(TRAILER).order(ByteOrder.LITTLE_ENDIAN).putInt(0, crc.value());
    }

    /** The whole entry in one array (what Redis stores). */
    static byte[] encode(ChunkKv kv) {
        long n = entryBytes(kv);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("kv: entry of " + n + " bytes does not fit one array");
        }
        ByteBuffer header = header(kv);
        ByteBuffer out = ByteBuffer.allocate((int) n);
        out.put(header.duplicate()).put(kv.payload()).put(trailer(header, kv));
        return out.array();
    }

    /**
     * Fills {@code out} with the entry's bytes from offset {@code at}: the entry is {@code header}, {@code payload}
     * and {@code trailer} (each from index 0 to its limit; positions untouched), so parts can be encoded into
     * arrays their writer reuses, each on its own thread (RedisTier's parts).
     */
    static void fill(ByteBuffer header, ByteBuffer payload, ByteBuffer trailer, long at, byte[] out) {
        int h = header.limit();
        long trailerAt = h + (long) payload.limit();
        int done = 0;
        while (done < out.length) {
            long from = at + done;
            ByteBuffer src = from < h ? header : from < trailerAt ? payload : trailer;
            int index = (int) (from < h ? from : from < trailerAt ? from - h : from - trailerAt);
            int take = Math.min(src.limit() - index, out.length - done);
            src.get(index, out, done, take);
            done += take;
        }
    }

    /**
     * The size of the whole entry whose first bytes are {@code start}, as its header says (not yet verified: the
     * checksum is checked by {@link #decode}); -1 when {@code start} is not the start of an entry of this version.
     */
    static long declaredEntryBytes(byte[] start) {
        if (start.length < FIXED_HEADER) {
            return -1;
        }
        ByteBuffer e = ByteBuffer.wrap(start).order(ByteOrder.LITTLE_ENDIAN);
        long h = e.getInt(8);
        long p = e.getLong(40);
        if (e.getInt(0) != MAGIC || e.getInt(4) != VERSION || h < FIXED_HEADER || p < 0 || p > MAX_PAYLOAD_BYTES) {
            return -1;
        }
        return h + p + TRAILER;
    }

    /** Where an entry's header ends ({@code headerBytes}) and how long its payload is. */
    record Layout(int headerBytes, int payloadBytes) {
        /** Offset of the trailer, the end of the checksummed bytes. */
        int trailerAt() {
            return headerBytes + payloadBytes;
        }
    }

    /**
     * The layout of an entry of {@code entryBytes} bytes whose first bytes are {@code start} (from index 0 to its
     * limit; a header that does not fit in them is refused): checks the magic, the version and that the sizes
     * add up. The key echo and the shape are checked by {@link #checked} once the checksum has passed.
     */
    static Layout layout(ByteBuffer start, long entryBytes) throws BadEntryException {
        ByteBuffer e = start.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (entryBytes < FIXED_HEADER + TRAILER || e.limit() < FIXED_HEADER) {
            throw new BadEntryException(Reason.CORRUPT, "entry of " + entryBytes + " bytes is shorter than a header");
        }
        if (e.getInt(0) != MAGIC) {
            throw new BadEntryException(Reason.CORRUPT, "bad magic");
        }
        int version = e.getInt(4);
        if (version != VERSION) {
            throw new BadEntryException(Reason.VERSION, "format version " + version + ", this code reads " + VERSION);
        }
        int h = e.getInt(8);
        long p = e.getLong(40);
        int modelBytes = e.getInt(80);
        if (h < FIXED_HEADER || h > e.limit() || modelBytes < 0 || modelBytes > ChunkKey.MAX_MODEL_BYTES
                || h != padded(FIXED_HEADER + modelBytes) || p < 0
                || p > MAX_PAYLOAD_BYTES || (long) h + p + TRAILER != entryBytes) {
            throw new BadEntryException(Reason.CORRUPT, "sizes do not add up to the entry's " + entryBytes + " bytes");
        }
        return new Layout(h, (int) p);
    }

    /**
     * {@link ChunkTier#read(ChunkKey, IntFunction)} of a tier that loads an entry into a target, as {@code load}
     * does: checks the arguments and makes {@code dst} a target.
     */
    static ChunkKv readInto(ChunkKey key, IntFunction<ByteBuffer> dst,
            BiFunction<ChunkKey, IntFunction<ByteBuffer>, ChunkKv> load) {
        Check.arg(key != null, "key", "is null");
        Check.arg(dst != null, "dst", "is null");
        return load.apply(key, bytes -> {
            ByteBuffer b = dst.apply(bytes);
            Check.arg(b == null || !b.isReadOnly(), "dst", "gave a read-only buffer");
            return b == null ? null : payloadTarget(b, bytes);
        });
    }

    /**
     * The target of a load into {@code dst}: given the payload's size, where it is read to ({@link #payloadTarget}).
     */
    static IntFunction<ByteBuffer> into(ByteBuffer dst) {
        return bytes -> payloadTarget(dst, bytes);
    }

    /** The target of a get: a new heap buffer of the payload's size. */
    static final IntFunction<ByteBuffer> NEW_BUFFER = ByteBuffer::allocate;

    /**
     * Where a payload of {@code bytes} is read to: the next {@code bytes} of {@code dst} (its position not moved);
     * null when {@code dst} has less room.
     */
    static ByteBuffer payloadTarget(ByteBuffer dst, int bytes) {
        return dst.remaining() < bytes ? null : dst.slice(dst.position(), bytes);
    }

    /**
     * The checksum check and the chunk: {@code crc} is the CRC32C of the header and the payload, {@code trailer} the
     * stored one; then the header's key echo and shape are checked against {@code expected}. The chunk's payload is
     * {@code payload} itself.
     */
    static ChunkKv checked(ByteBuffer header, int crc, int trailer, ChunkKey expected, ByteBuffer payload)
            throws BadEntryException {
        if (crc != trailer) {
            throw new BadEntryException(Reason.CORRUPT, "checksum mismatch");
        }
        ByteBuffer e = header.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ChunkKey stored = expected;
        if (!echoes(e, expected)) {
            byte[] chunk = new byte[32];
            e.get(48, chunk);
            byte[] model = new byte[e.getInt(80)];
            e.get(FIXED_HEADER, model);
            try {
                stored = new ChunkKey(new String(model, StandardCharsets.UTF_8), dtypeOf(e.getInt(12)), e.getInt(16),
                        e.getInt(20), e.getInt(24), ChunkKey.chunkOf(chunk));
            } catch (IllegalArgumentException ex) {
                throw new BadEntryException(Reason.CORRUPT, "invalid key in header: " + ex.getMessage());
            }
            throw new BadEntryException(Reason.OTHER_KEY, "entry holds " + stored + ", not " + expected);
        }
        int blocks = e.getInt(28);
        int heads = e.getInt(32);
        int headDim = e.getInt(36);
        try {
            if (ChunkKv.payloadBytes(stored, blocks, heads, headDim) != payload.remaining()) {
                throw new BadEntryException(Reason.CORRUPT, "payload size does not match its shape");
            }
        } catch (IllegalArgumentException ex) {
            throw new BadEntryException(Reason.CORRUPT, "invalid shape in header: " + ex.getMessage());
        }
        return ChunkKv.wrap(stored, blocks, heads, headDim, payload);
    }

    /**
     * The chunk in {@code entry} (its remaining bytes, the whole stored entry), which must be an intact entry of
     * {@code expected}. The returned chunk's payload is a view of {@code entry}: the caller gives up the buffer.
     */
    static ChunkKv decode(ByteBuffer entry, ChunkKey expected) throws BadEntryException {
        ByteBuffer e = entry.slice().order(ByteOrder.LITTLE_ENDIAN);
        Layout l = layout(e, e.remaining());
        Crc32c crc = new Crc32c();
        crc.update(e.slice(0, l.trailerAt()));
        return checked(e.slice(0, l.headerBytes()), crc.value(), e.getInt(l.trailerAt()), expected,
                e.slice(l.headerBytes(), l.payloadBytes()));
    }

    /**
     * Puts the entry's bytes {@code [at, at + length)}, found at {@code src[offset..]}, where they belong: payload
     * bytes into {@code payload} (absolute indices: pieces may land from several threads at once), trailer bytes
     * into {@code trailer}; header bytes stay where they are. Returns the CRC32C of the checksummed bytes among them
     * (the {@link #checkedBytes} bytes before the trailer), for {@link Crc32c#combine} in entry order.
     */
    static int scatter(Layout l, long at, byte[] src, int offset, int length, ByteBuffer payload, byte[] trailer) {
        int checked = checkedBytes(l, at, length);
        CRC32C crc = new CRC32C();
        crc.update(src, offset, checked);
        int skip = (int) Math.max(0, Math.min(checked, l.headerBytes() - at));
        if (checked > skip) {
            payload.put((int) (at + skip - l.headerBytes()), src, offset + skip, checked - skip);
        }
        for (int i = checked; i < length; i++) {
            trailer[(int) (at + i - l.trailerAt())] = src[offset + i];
        }
        return (int) crc.getValue();
    }

    /**
     * Where the entry's bytes {@code [at, at + length)} belong, for a read straight into them (past the header:
     * {@code at >= headerBytes}): a view of {@code payload} at their payload offset, then one of {@code trailer}.
     */
    static ByteBuffer[] places(Layout l, long at, int length, ByteBuffer payload, byte[] trailer) {
        if (at < l.headerBytes() || at + length > l.trailerAt() + (long) TRAILER) {
            throw new IllegalArgumentException("entry bytes [" + at + ", " + (at + length) + ") are not past the header"
                    + " and within the entry");
        }
        int inPayload = checkedBytes(l, at, length);
        ByteBuffer p = payload.slice((int) (at - l.headerBytes()), inPayload);
        int trailerFrom = (int) Math.max(0, at - l.trailerAt());
        ByteBuffer t = ByteBuffer.wrap(trailer, trailerFrom, length - inPayload);
        return new ByteBuffer[] {p, t};
    }

    /** The CRC32C of the checksummed bytes among the entry's bytes {@code [at, at + length)}, once {@link #places}d. */
    static int placedCrc(Layout l, long at, int length, ByteBuffer payload) {
        Crc32c crc = new Crc32c();
        crc.update(payload.slice((int) (at - l.headerBytes()), checkedBytes(l, at, length)));
        return crc.value();
    }

    /** How many of the entry's bytes {@code [at, at + length)} come before the trailer (are checksummed). */
    static int checkedBytes(Layout l, long at, int length) {
        return (int) Math.max(0, Math.min(length, l.trailerAt() - at));
    }

    /** The stored checksum held in {@code trailer}'s four bytes (little-endian). */
    static int trailer(byte[] trailer) {
        return ByteBuffer.wrap(trailer).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
    }

    /**
     * Whether the header {@code e} (little-endian, layout checked) echoes exactly the fields of {@code k}, compared as
     * stored bytes: the check of every read, so it decodes no key.
     */
    private static boolean echoes(ByteBuffer e, ChunkKey k) {
        if (e.getInt(12) != k.dtype().code() || e.getInt(16) != k.blockSize() || e.getInt(20) != k.firstLayer()
                || e.getInt(24) != k.endLayer()) {
            return false;
        }
        ByteBuffer id = e.duplicate().order(ByteOrder.BIG_ENDIAN);
        ChunkId c = k.chunk();
        if (id.getLong(48) != c.w0() || id.getLong(56) != c.w1() || id.getLong(64) != c.w2()
                || id.getLong(72) != c.w3()) {
            return false;
        }
        byte[] model = k.model().getBytes(StandardCharsets.UTF_8);
        return e.getInt(80) == model.length
                && e.slice(FIXED_HEADER, model.length).equals(ByteBuffer.wrap(model));
    }

    private static DType dtypeOf(int code) {
        for (DType d : DType.values()) {
            if (d.code() == code && d.isFloat()) {
                return d;
            }
        }
        return null; // ChunkKey refuses it: reported as a corrupt header
    }
}
