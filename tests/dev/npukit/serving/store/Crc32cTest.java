package dev.npukit.serving.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.ProcCpuInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The store's CRC32C against {@link CRC32C}: the native function on the code path this process runs (the build runs
 * this class again with NPUKIT_CPU_ISA=baseline, avx2 and avx512vl, so every path of the machine is tested), the running
 * checksum over direct and heap buffers, and the combination of two CRCs.
 */
class Crc32cTest {
    private static final int MAX = 4 << 20;

    @Test
    void runsThePathTheProcessorAndTheCapAllow() {
        assertNotNull(Crc32c.NATIVE_PATH, "the cpu library is built with the tests and must load");
        String cap = System.getenv().getOrDefault("NPUKIT_CPU_ISA", "avx512");
        boolean x86 = System.getProperty("os.arch").matches("amd64|x86_64");
        ProcCpuInfo info = ProcCpuInfo.read();
        String expected;
        // The 512-bit path runs wherever AVX-512 may; Java sends it direct buffers where 512-bit operations run at
        // full width (ProcCpuInfo.fullWidth512) and the cap allows them.
        if (info.avx512() && info.has("vpclmulqdq") && info.has("pclmulqdq") && cap.startsWith("avx512")) {
            expected = "vpclmulqdq";
        } else if (info.avx2() && info.has("pclmulqdq") && !cap.equals("baseline")) {
            expected = "pclmulqdq";
        } else {
            expected = x86 ? "sse4.2" : "portable";
        }
        assertEquals(expected, Crc32c.NATIVE_PATH);
        assertEquals(expected.equals("vpclmulqdq") && info.fullWidth512() && cap.equals("avx512"), Crc32c.NATIVE);
    }

    @Test
    void nativeEqualsTheJdkAtEveryShortLengthAndAlignment() {
        SplittableRandom r = new SplittableRandom(7);
        ByteBuffer data = random(r, 1024 + 64 + 16);
        for (int n = 0; n <= 1024; n++) {
            checkNative(r, data, r.nextInt(64), n);
        }
    }

    @Test
    void nativeEqualsTheJdkAtRandomLongLengths() {
        SplittableRandom r = new SplittableRandom(8);
        ByteBuffer data = random(r, MAX + 64 + 16);
        for (int i = 0; i < 300; i++) {
            checkNative(r, data, r.nextInt(64), 1025 + r.nextInt(i < 250 ? 300_000 : MAX - 1025));
        }
    }

    /**
     * The native CRC of {@code n} bytes at {@code offset}, continued from the CRC of a random prefix of up to 16
     * bytes (any 32-bit value is the CRC of some 4-byte prefix), equals the JDK's CRC of the prefix and the bytes.
     */
    private static void checkNative(SplittableRandom r, ByteBuffer data, int offset, int n) {
        int prefix = r.nextInt(17);
        int at = 16 + offset;
        CRC32C before = new CRC32C();
        before.update(data.duplicate().limit(at).position(at - prefix));
        CRC32C whole = new CRC32C();
        whole.update(data.duplicate().limit(at + n).position(at - prefix));
        // The buffer's position is unrelated to the range: ofDirect takes absolute indices.
        data.position(r.nextInt(data.capacity()));
        assertEquals((int) whole.getValue(), Crc32c.ofDirect((int) before.getValue(), data, at, n),
                () -> n + " bytes at offset " + offset + " after a prefix of " + prefix + " on " + Crc32c.NATIVE_PATH);
    }

    @Test
    void theRunningChecksumOverDirectAndHeapPiecesEqualsTheJdk() {
        SplittableRandom r = new SplittableRandom(9);
        for (int trial = 0; trial < 200; trial++) {
            int n = r.nextInt(trial < 150 ? 70_000 : 3 << 20);
            ByteBuffer bytes = random(r, n);
            CRC32C expected = new CRC32C();
            expected.update(bytes.duplicate());
            Crc32c crc = new Crc32c();
            int at = 0;
            while (at < n) {
                int piece = Math.min(n - at, r.nextInt(r.nextBoolean() ? 64 : 100_000) + 1);
                ByteBuffer p = bytes.slice(at, piece);
                if (r.nextBoolean()) {
                    p = ByteBuffer.allocate(piece).put(p).flip();
                }
                crc.update(p);
                assertEquals(p.limit(), p.position(), "update consumes the piece");
                at += piece;
            }
            assertEquals((int) expected.getValue(), crc.value(), "trial " + trial + ", " + n + " bytes");
        }
    }

    @Test
    void theStoredTrailerIsTheJdksCrc32cOfHeaderAndPayload() {
        // Format 2's trailer, whatever computes it: a heap header then a direct payload (a read's view, as the
        // tiered store writes it back to disk) and an all-heap chunk.
        ChunkKv heap = Chunks.random(Chunks.key(4), 37, 4);
        ByteBuffer direct = ByteBuffer.allocateDirect(heap.bytes()).put(heap.payload()).flip();
        for (ChunkKv kv : new ChunkKv[] {heap,
                ChunkKv.wrap(heap.key(), heap.numBlocks(), heap.numKvHeads(), heap.headDim(), direct)}) {
            byte[] entry = ChunkCodec.encode(kv);
            CRC32C jdk = new CRC32C();
            jdk.update(entry, 0, entry.length - ChunkCodec.TRAILER);
            assertEquals((int) jdk.getValue(),
                    ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN).getInt(entry.length - ChunkCodec.TRAILER));
        }
    }

    @Test
    void combiningTwoCrcsEqualsTheCrcOfBoth() {
        SplittableRandom r = new SplittableRandom(10);
        for (int trial = 0; trial < 300; trial++) {
            byte[] b = new byte[r.nextInt(trial < 200 ? 600 : 2 << 20)];
            r.nextBytes(b);
            int split = b.length == 0 ? 0 : r.nextInt(b.length + 1);
            CRC32C a = new CRC32C();
            a.update(b, 0, split);
            CRC32C tail = new CRC32C();
            tail.update(b, split, b.length - split);
            CRC32C whole = new CRC32C();
            whole.update(b);
            assertEquals((int) whole.getValue(),
                    Crc32c.combine((int) a.getValue(), (int) tail.getValue(), b.length - split), "split " + split);
        }
    }

    @Test
    void badArgumentsAreRefusedNamingTheArgument() {
        ByteBuffer direct = ByteBuffer.allocateDirect(100);
        assertMessage("buf:", () -> Crc32c.ofDirect(0, null, 0, 0));
        assertMessage("buf:", () -> Crc32c.ofDirect(0, ByteBuffer.allocate(100), 0, 10));
        assertMessage("offset:", () -> Crc32c.ofDirect(0, direct, -1, 10));
        assertMessage("length:", () -> Crc32c.ofDirect(0, direct, 0, -1));
        assertMessage("length:", () -> Crc32c.ofDirect(0, direct, 95, 6));
        assertMessage("length:", () -> Crc32c.ofDirect(0, direct, 0, Integer.MAX_VALUE));
        assertMessage("length:", () -> Crc32c.ofDirect(0, direct, Integer.MAX_VALUE, 1));
        // The limit, not the capacity, bounds the range.
        assertMessage("length:", () -> Crc32c.ofDirect(0, direct.duplicate().limit(50), 40, 11));
        assertEquals(0, Crc32c.ofDirect(0, direct, 100, 0), "no bytes at the limit");
        assertEquals(1234, Crc32c.ofDirect(1234, direct, 0, 0), "no bytes leave the CRC");
    }

    private static void assertMessage(String start, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }

    private static ByteBuffer random(SplittableRandom r, int bytes) {
        byte[] b = new byte[bytes];
        r.nextBytes(b);
        return ByteBuffer.allocateDirect(bytes).put(b).flip();
    }
}
