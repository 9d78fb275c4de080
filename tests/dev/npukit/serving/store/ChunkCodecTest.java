package dev.npukit.serving.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.mepic.ChunkId;
import dev.npukit.serving.store.BadEntryException.Reason;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** The value and its stored form: round trips, and every kind of damage refused before a payload byte is used. */
class ChunkCodecTest {
    @Test
    void floatBlocksRoundTripInEveryDtype() {
        SplittableRandom r = new SplittableRandom(1);
        int heads = 2;
        int dim = 4;
        for (DType dtype : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            ChunkKey key = new ChunkKey("m", dtype, 4, 1, 3, ChunkId.ofPadded(new int[] {1, 2, 3, 4}));
            int floats = 4 * heads * dim;
            float[][][][] blocks = new float[2][2][2][floats];
            for (float[][][] b : blocks) {
                for (float[][] l : b) {
                    for (float[] kv : l) {
                        for (int i = 0; i < floats; i++) {
                            kv[i] = (float) (r.nextDouble() * 4 - 2);
                        }
                    }
                }
            }
            ChunkKv kv = ChunkKv.ofBlocks(key, heads, dim, blocks);
            assertEquals(2L * 2 * 2 * floats * dtype.byteSize(), kv.bytes());
            for (int b = 0; b < 2; b++) {
                for (int l = 0; l < 2; l++) {
                    float[][] got = kv.block(b, l);
                    for (int k = 0; k < 2; k++) {
                        float[] want = blocks[b][l][k].clone();
                        for (int i = 0; i < want.length; i++) {
                            want[i] = HalfFloats.roundTo(dtype, want[i]);
                        }
                        assertArrayEquals(want, got[k], dtype + " block " + b + " layer " + l);
                    }
                }
            }
        }
    }

    @Test
    void blockLayoutIsKeysThenValuesPerLayerPerBlock() {
        ChunkKey key = new ChunkKey("m", DType.F32, 1, 0, 2, ChunkId.ofPadded(new int[] {9}));
        float[][][][] blocks = {{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, {{{9, 10}, {11, 12}}, {{13, 14}, {15, 16}}}};
        ByteBuffer p = ChunkKv.ofBlocks(key, 1, 2, blocks).payload();
        float[] all = new float[16];
        p.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(all);
        float[] want = new float[16];
        for (int i = 0; i < 16; i++) {
            want[i] = i + 1;
        }
        assertArrayEquals(want, all);
    }

    @Test
    void encodedEntryDecodesToTheSameBytes() throws BadEntryException {
        ChunkKv kv = Chunks.random(5);
        ChunkKv back = ChunkCodec.decode(ByteBuffer.wrap(ChunkCodec.encode(kv)), kv.key());
        Chunks.assertSameKv(kv, back);
        assertEquals(ChunkCodec.entryBytes(kv), ChunkCodec.encode(kv).length);
    }

    @Test
    void everyFlippedByteIsRefused() {
        ChunkKv kv = Chunks.random(Chunks.key(6), 1, 6);
        byte[] good = ChunkCodec.encode(kv);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            int at = i;
            BadEntryException e = assertThrows(BadEntryException.class,
                    () -> ChunkCodec.decode(ByteBuffer.wrap(bad), kv.key()), "byte " + at + " flipped");
            assertNotEquals(Reason.OTHER_KEY, e.reason(), "byte " + at + ": damage must not pass the checksum");
        }
    }

    @Test
    void truncatedAndExtendedEntriesAreRefused() {
        ChunkKv kv = Chunks.random(7);
        byte[] good = ChunkCodec.encode(kv);
        for (int n : new int[] {0, 3, ChunkCodec.FIXED_HEADER, good.length / 2, good.length - 1}) {
            assertEquals(Reason.CORRUPT, assertThrows(BadEntryException.class,
                    () -> ChunkCodec.decode(ByteBuffer.wrap(Arrays.copyOf(good, n)), kv.key())).reason(), "length " + n);
        }
        assertEquals(Reason.CORRUPT, assertThrows(BadEntryException.class,
                () -> ChunkCodec.decode(ByteBuffer.wrap(Arrays.copyOf(good, good.length + 1)), kv.key())).reason());
    }

    @Test
    void partsOfEverySizeDecodeIntoTheCallersBufferAndDamageIsRefused() throws BadEntryException {
        ChunkKv kv = Chunks.random(Chunks.key(10), 1, 10);
        byte[] entry = ChunkCodec.encode(kv);
        int header = ChunkCodec.headerBytes(kv.key());
        // Part sizes from "part 0 is exactly the header" to "one part": the payload and the trailer fall across
        // part boundaries at every offset near the trailer.
        for (int size = header; size <= entry.length; size += size < entry.length - 40 ? 97 : 1) {
            List<byte[]> parts = cut(entry, size);
            ByteBuffer dst = ByteBuffer.allocateDirect(kv.bytes() + 16).position(16);
            ChunkKv back = decodeParts(parts, entry.length, kv.key(), ChunkCodec.into(dst));
            Chunks.assertSameKv(kv, back);
            assertEquals(16, dst.position(), "the caller's position is the caller's to move");
            assertEquals(kv.payload(), dst.slice(16, kv.bytes()), "part size " + size);
            Chunks.assertSameKv(kv, decodeParts(parts, entry.length, kv.key(), ChunkCodec.NEW_BUFFER));
            assertEquals(null, decodeParts(parts, entry.length, kv.key(),
                    ChunkCodec.into(ByteBuffer.allocate(kv.bytes() - 1))),
                    "a buffer without room for the payload is no hit");
        }
        for (int i = 0; i < entry.length; i++) {
            byte[] bad = entry.clone();
            bad[i] ^= 0x04;
            int at = i;
            BadEntryException e = assertThrows(BadEntryException.class, () -> decodeParts(cut(bad, header + 1500),
                    bad.length, kv.key(), ChunkCodec.into(ByteBuffer.allocate(kv.bytes()))), "byte " + at + " flipped");
            assertNotEquals(Reason.OTHER_KEY, e.reason(), "byte " + at + ": damage must not pass the checksum");
        }
    }

    /**
     * The chunk in the entry cut into {@code parts} (in order, {@code entryBytes} in all, the first holding the
     * whole header), which must be an intact entry of {@code expected}: the payload is copied into the buffer
     * {@code target} gives for its size, the checksum taken over the parts as they are. Null when {@code target}
     * gives none: the decoding that RedisTier's part readers do in parallel ({@link ChunkCodec#scatter} and
     * {@link Crc32c#combine}), in one loop, to check those pieces on every split of an entry.
     */
    private static ChunkKv decodeParts(List<byte[]> parts, long entryBytes, ChunkKey expected, IntFunction<ByteBuffer> target)
            throws BadEntryException {
        ByteBuffer first = ByteBuffer.wrap(parts.get(0));
        ChunkCodec.Layout l = ChunkCodec.layout(first, entryBytes);
        ByteBuffer payload = target.apply(l.payloadBytes());
        if (payload == null) {
            return null;
        }
        byte[] trailer = new byte[ChunkCodec.TRAILER];
        int crc = 0;
        long at = 0;
        for (byte[] part : parts) {
            crc = Crc32c.combine(crc, ChunkCodec.scatter(l, at, part, 0, part.length, payload, trailer),
                    ChunkCodec.checkedBytes(l, at, part.length));
            at += part.length;
        }
        return ChunkCodec.checked(first.slice(0, l.headerBytes()), crc, ChunkCodec.trailer(trailer), expected, payload);
    }

    private static List<byte[]> cut(byte[] entry, int size) {
        List<byte[]> parts = new ArrayList<>();
        for (int at = 0; at < entry.length; at += size) {
            parts.add(Arrays.copyOfRange(entry, at, Math.min(entry.length, at + size)));
        }
        return parts;
    }

    @Test
    void anotherFormatVersionIsRefusedAsSuch() {
        ChunkKv kv = Chunks.random(8);
        for (int version : new int[] {ChunkCodec.VERSION - 1, ChunkCodec.VERSION + 1}) {
            ByteBuffer e = ByteBuffer.wrap(ChunkCodec.encode(kv)).order(ByteOrder.LITTLE_ENDIAN);
            e.putInt(4, version);
            assertEquals(Reason.VERSION,
                    assertThrows(BadEntryException.class, () -> ChunkCodec.decode(e, kv.key())).reason());
        }
    }

    @Test
    void thePayloadStartsOnAPageAndTheHeaderPaddingIsChecked() {
        ChunkKv shortName = Chunks.random(8);
        ChunkKey k = shortName.key();
        ChunkKey longest = new ChunkKey("m".repeat(ChunkKey.MAX_MODEL_BYTES), k.dtype(), k.blockSize(), k.firstLayer(),
                k.endLayer(), k.chunk());
        for (ChunkKv kv : new ChunkKv[] {shortName, ChunkKv.copyOf(longest, shortName.numBlocks(),
                shortName.numKvHeads(), shortName.headDim(), shortName.payload())}) {
            ByteBuffer e = ByteBuffer.wrap(ChunkCodec.encode(kv)).order(ByteOrder.LITTLE_ENDIAN);
            int h = e.getInt(8);
            assertEquals(ChunkCodec.HEADER_ALIGN, h, "header bytes");
            assertEquals(h, ChunkCodec.headerBytes(kv.key()));
            assertTrue(h <= ChunkCodec.MAX_HEADER_BYTES);
            // A header length that is not the padded one is refused even with a matching checksum scope.
            e.putInt(8, h - 4);
            assertEquals(Reason.CORRUPT,
                    assertThrows(BadEntryException.class, () -> ChunkCodec.decode(e, kv.key())).reason());
        }
    }

    @Test
    void anIntactEntryOfAnyOtherKeyIsRefused() {
        ChunkKv kv = Chunks.random(9);
        ChunkKey k = kv.key();
        ChunkKey[] others = {
            new ChunkKey("sha256:test-model-b", k.dtype(), k.blockSize(), k.firstLayer(), k.endLayer(), k.chunk()),
            new ChunkKey(k.model(), DType.BF16, k.blockSize(), k.firstLayer(), k.endLayer(), k.chunk()),
            new ChunkKey(k.model(), k.dtype(), 32, k.firstLayer(), k.endLayer(), k.chunk()),
            new ChunkKey(k.model(), k.dtype(), k.blockSize(), 1, k.endLayer(), k.chunk()),
            new ChunkKey(k.model(), k.dtype(), k.blockSize(), k.firstLayer(), 3, k.chunk()),
            k.withChunk(ChunkId.ofPadded(new int[] {1})),
        };
        byte[] entry = ChunkCodec.encode(kv);
        for (ChunkKey other : others) {
            assertNotEquals(k.address(), other.address(), "every field takes part in the address");
            assertEquals(Reason.OTHER_KEY, assertThrows(BadEntryException.class,
                    () -> ChunkCodec.decode(ByteBuffer.wrap(entry), other)).reason(), other.toString());
        }
    }

    @Test
    void badArgumentsNameTheArgument() {
        ChunkId id = ChunkId.ofPadded(new int[] {1});
        assertThrows(IllegalArgumentException.class, () -> new ChunkKey("", DType.F16, 16, 0, 1, id));
        assertThrows(IllegalArgumentException.class, () -> new ChunkKey("m", DType.I32, 16, 0, 1, id));
        assertThrows(IllegalArgumentException.class, () -> new ChunkKey("m", DType.F16, 16, 2, 2, id));
        ChunkKey key = new ChunkKey("m", DType.F16, 16, 0, 1, id);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ChunkKv.copyOf(key, 1, 1, 8, ByteBuffer.allocate(3)));
        assertEquals(true, e.getMessage().startsWith("payload"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ChunkKv.payloadBytes(key, 1 << 20, 64, 128));
    }
}
