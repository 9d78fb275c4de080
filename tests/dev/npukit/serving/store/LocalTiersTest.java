package dev.npukit.serving.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The memory and disk tiers: budgets, restarts, damaged files, and keys that must never meet. */
class LocalTiersTest {
    @TempDir
    Path dir;

    @Test
    void memoryTierEvictsLeastRecentlyUsedWithinItsBudget() {
        ChunkKv a = Chunks.random(1);
        ChunkKv b = Chunks.random(2);
        ChunkKv c = Chunks.random(3);
        MemoryTier m = new MemoryTier(2L * a.bytes());
        m.put(a);
        m.put(b);
        assertSame(a, m.get(a.key()), "a is now the most recently used");
        m.put(c);
        assertNull(m.get(b.key()), "b was the least recently used");
        assertSame(a, m.get(a.key()));
        assertSame(c, m.get(c.key()));
        TierStats s = m.stats();
        assertEquals(1, s.evictions());
        assertEquals(2L * a.bytes(), s.heldBytes());
        assertEquals(1, s.misses());
        MemoryTier tiny = new MemoryTier(a.bytes() - 1);
        tiny.put(a);
        assertFalse(tiny.contains(a.key()), "an entry larger than the budget is not kept");
    }

    @Test
    void diskEntriesSurviveReopeningAndMatchByteForByte() throws IOException {
        ChunkKv a = Chunks.random(1);
        new DiskTier(dir, 1L << 30).put(a);
        DiskTier reopened = new DiskTier(dir, 1L << 30);
        Chunks.assertSameKv(a, reopened.get(a.key()));
        assertEquals(Files.size(reopened.file(a.key())), reopened.stats().heldBytes());
        assertTrue(reopened.file(a.key()).getFileName().toString().startsWith(a.key().address()));
    }

    @Test
    void diskTierEvictsLeastRecentlyUsedFilesOverItsBudget() throws IOException {
        ChunkKv[] kv = {Chunks.random(1), Chunks.random(2), Chunks.random(3)};
        long entry = ChunkCodec.entryBytes(kv[0]);
        DiskTier d = new DiskTier(dir, 2 * entry);
        d.put(kv[0]);
        d.put(kv[1]);
        Chunks.assertSameKv(kv[0], d.get(kv[0].key()));
        d.put(kv[2]);
        assertFalse(Files.exists(d.file(kv[1].key())), "the least recently used file is deleted");
        assertTrue(Files.exists(d.file(kv[0].key())));
        assertEquals(1, d.stats().evictions());
        // After a restart the modification times order the entries: the oldest goes first.
        Files.setLastModifiedTime(d.file(kv[2].key()), FileTime.from(Instant.now().minusSeconds(3600)));
        DiskTier smaller = new DiskTier(dir, entry);
        assertFalse(Files.exists(d.file(kv[2].key())));
        Chunks.assertSameKv(kv[0], smaller.get(kv[0].key()));
    }

    @Test
    void damagedFilesAreIgnoredRemovedAndReplaced() throws IOException {
        ChunkKv a = Chunks.random(1);
        DiskTier d = new DiskTier(dir, 1L << 30);
        Path file = d.file(a.key());
        byte[] good = ChunkCodec.encode(a);
        byte[][] damaged = {
            Arrays.copyOf(good, good.length / 2),
            flipped(good, good.length - 10),
            flipped(good, ChunkCodec.FIXED_HEADER + 100),
            withVersion(good, ChunkCodec.VERSION + 1),
            new byte[0],
        };
        int n = 0;
        for (byte[] bad : damaged) {
            d.put(a);
            Files.write(file, bad);
            assertNull(d.get(a.key()), "damaged entry " + n + " must not be returned");
            assertFalse(Files.exists(file), "damaged entry " + n + " is removed");
            d.put(a);
            Chunks.assertSameKv(a, d.get(a.key()));
            n++;
        }
        assertEquals(damaged.length, d.stats().badEntries());
    }

    @Test
    void readsFillTheCallersBufferFromEveryTier() throws IOException {
        ChunkKv a = Chunks.random(1);
        ChunkKv b = Chunks.random(2);
        MemoryTier m = new MemoryTier(1 << 20);
        m.put(a);
        DiskTier d = new DiskTier(dir, 1L << 30);
        d.put(a);
        for (ChunkTier tier : List.of(m, d)) {
            for (ByteBuffer dst : List.of(ByteBuffer.allocate(a.bytes() + 8), ByteBuffer.allocateDirect(a.bytes() + 8))) {
                dst.put(new byte[] {1, 2, 3}).mark();
                ChunkKv got = tier.read(a.key(), dst);
                Chunks.assertSameKv(a, got);
                assertEquals(3 + a.bytes(), dst.position(), tier.name() + ": the position moves past the payload");
                assertEquals(a.payload(), dst.slice(3, a.bytes()));
                assertEquals(2, dst.get(1), "bytes before the position are untouched");
                dst.reset();
                assertNull(tier.read(b.key(), dst), tier.name() + ": not held");
                assertNull(tier.read(a.key(), dst.limit(dst.position() + a.bytes() - 1)), "no room: a miss");
                assertEquals(3, dst.position(), "a miss leaves the position");
            }
            assertEquals(2, tier.stats().hits());
            assertEquals(4, tier.stats().misses());
            assertThrows(IllegalArgumentException.class, () -> tier.read(a.key(), ByteBuffer.allocate(99).asReadOnlyBuffer()));
            assertThrows(IllegalArgumentException.class, () -> tier.read(null, ByteBuffer.allocate(99)));
        }
        assertEquals(0, d.stats().badEntries(), "an intact entry that does not fit is left in place");
        assertTrue(Files.exists(d.file(a.key())));
    }

    @Test
    void everyFlippedByteOfADiskEntryIsRefusedByReadsAndGets() throws IOException {
        ChunkKv a = Chunks.random(Chunks.key(5), 1, 5);
        DiskTier d = new DiskTier(dir, 1L << 30);
        Path file = d.file(a.key());
        byte[] good = ChunkCodec.encode(a);
        ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes());
        for (int i = 0; i < good.length; i++) {
            Files.createDirectories(file.getParent());
            Files.write(file, flipped(good, i));
            assertNull(i % 2 == 0 ? d.read(a.key(), dst.clear()) : d.get(a.key()), "byte " + i + " flipped");
            assertFalse(Files.exists(file), "byte " + i + ": the damaged entry is removed");
        }
        assertEquals(good.length, d.stats().badEntries());
        d.put(a);
        Chunks.assertSameKv(a, d.read(a.key(), dst.clear()));
    }

    @Test
    void aFileOfAnotherSizeThanIndexedIsCheckedAtItsOwnSize() throws IOException {
        ChunkKey key = Chunks.key(6);
        ChunkKv small = Chunks.random(key, 2, 6);
        ChunkKv large = Chunks.random(key, 3, 7);
        DiskTier d = new DiskTier(dir, 1L << 30);
        Path file = d.file(key);
        ByteBuffer dst = ByteBuffer.allocateDirect(large.bytes());
        // Another process replaces the entry this one wrote with an intact one of another size: a miss, not damage;
        // the index takes the new size and the next read returns the new entry.
        d.put(small);
        Files.write(file, ChunkCodec.encode(large));
        assertNull(d.read(key, dst.clear()), "read at the indexed size");
        assertTrue(Files.exists(file), "an intact entry is never removed");
        assertEquals(ChunkCodec.entryBytes(large), d.stats().heldBytes(), "the index holds the file's size");
        Chunks.assertSameKv(large, d.read(key, dst.clear()));
        Files.write(file, ChunkCodec.encode(small));
        assertNull(d.get(key), "a get at the indexed size");
        Chunks.assertSameKv(small, d.get(key));
        assertEquals(0, d.stats().badEntries());
        // Bytes after an intact entry make the file damaged, whether this process indexed its size or not.
        byte[] longer = Arrays.copyOf(ChunkCodec.encode(small), (int) ChunkCodec.entryBytes(small) + 1);
        DiskTier unaware = new DiskTier(dir.resolve("other"), 1L << 30);
        for (DiskTier tier : List.of(d, unaware)) {
            if (tier == d) {
                tier.put(small);
            }
            Files.createDirectories(tier.file(key).getParent());
            Files.write(tier.file(key), longer);
            assertNull(tier.read(key, dst.clear()), "one byte too many");
            assertFalse(Files.exists(tier.file(key)), "the damaged entry is removed");
            assertEquals(1, tier.stats().badEntries());
        }
    }

    @Test
    void diskReadsInPiecesCheckEveryByteAcrossPieceBoundaries() throws IOException {
        // 2048 payload bytes in pieces of 100: 20 whole pieces and a last one of 48.
        ChunkKv a = Chunks.random(Chunks.key(5), 1, 5);
        assertEquals(2048, a.bytes());
        for (int piece : new int[] {1, 100, 2047, 2048, 4096}) {
            DiskTier d = new DiskTier(dir.resolve("p" + piece), 1L << 30, piece);
            d.put(a);
            Chunks.assertSameKv(a, d.get(a.key()));
            Chunks.assertSameKv(a, d.read(a.key(), ByteBuffer.allocate(a.bytes())));
            Chunks.assertSameKv(a, d.read(a.key(), ByteBuffer.allocateDirect(a.bytes())));
        }
        DiskTier d = new DiskTier(dir, 1L << 30, 100);
        Path file = d.file(a.key());
        byte[] good = ChunkCodec.encode(a);
        int header = ChunkCodec.headerBytes(a.key());
        ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes());
        for (int i = 0; i < good.length; i++) {
            Files.createDirectories(file.getParent());
            Files.write(file, flipped(good, i));
            assertNull(i % 2 == 0 ? d.read(a.key(), dst.clear()) : d.get(a.key()), "byte " + i + " flipped");
            assertFalse(Files.exists(file), "byte " + i + ": the damaged entry is removed");
        }
        // Cut at every piece boundary, and one byte either side of it.
        int cuts = 0;
        for (int at = header; at < good.length; at += 100) {
            for (int cut = at - 1; cut <= at + 1; cut++) {
                Files.write(file, Arrays.copyOf(good, cut));
                assertNull(d.read(a.key(), dst.clear()), "cut at " + cut);
                cuts++;
            }
        }
        assertEquals(good.length + cuts, d.stats().badEntries());
        d.put(a);
        Chunks.assertSameKv(a, d.read(a.key(), dst.clear()));
    }

    @Test
    void readsOfEntriesOfSeveralPiecesCheckEveryByteOfEachPiece() throws IOException {
        // 400 KiB of payload: several pieces for the cpu library's reads into direct buffers, one for the file
        // channel's (gets, heap buffers).
        ChunkKv a = Chunks.random(Chunks.key(8), 200, 8);
        assertEquals(409_600, a.bytes());
        DiskTier d = new DiskTier(dir, 1L << 30);
        Path file = d.file(a.key());
        ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes());
        d.put(a);
        Chunks.assertSameKv(a, d.read(a.key(), dst.clear()));
        Chunks.assertSameKv(a, d.get(a.key()));
        Chunks.assertSameKv(a, d.read(a.key(), ByteBuffer.allocate(a.bytes())));
        byte[] good = ChunkCodec.encode(a);
        int bad = 0;
        // A flipped byte every 4 KiB and 13 bytes, so in every piece and at every offset within a page, and the
        // last payload byte and the trailer's.
        for (int at = 0; at < good.length; at += 4096 + 13) {
            bad += refused(d, a, dst, flipped(good, at), "byte " + at + " flipped");
        }
        bad += refused(d, a, dst, flipped(good, good.length - 5), "last payload byte flipped");
        bad += refused(d, a, dst, flipped(good, good.length - 1), "trailer flipped");
        // Cut every 20 KiB or so, and one byte either side; one byte too many.
        for (int at = 1; at < good.length; at += 20_011) {
            for (int cut = at - 1; cut <= at + 1; cut++) {
                bad += refused(d, a, dst, Arrays.copyOf(good, cut), "cut at " + cut);
            }
        }
        bad += refused(d, a, dst, Arrays.copyOf(good, good.length + 1), "one byte too many");
        assertEquals(bad, d.stats().badEntries());
        d.put(a);
        Chunks.assertSameKv(a, d.read(a.key(), dst.clear()));
        assertTrue(Files.exists(file));
    }

    /**
     * Puts {@code a}, overwrites its file with {@code bytes} and checks that a read refuses and removes it; returns 1.
     */
    private static int refused(DiskTier d, ChunkKv a, ByteBuffer dst, byte[] bytes, String what) throws IOException {
        d.put(a);
        Files.write(d.file(a.key()), bytes);
        Path file = d.file(a.key());
        assertNull(d.read(a.key(), dst.clear()), what);
        assertFalse(Files.exists(file), what + ": the damaged entry is removed");
        return 1;
    }

    @Test
    void anEntryRemovedOrUnreadableBehindTheTiersBackIsAMiss() throws IOException {
        ChunkKv a = Chunks.random(1);
        DiskTier d = new DiskTier(dir, 1L << 30);
        Path file = d.file(a.key());
        List<ByteBuffer> targets = List.of(ByteBuffer.allocateDirect(a.bytes()), ByteBuffer.allocate(a.bytes()));
        for (ByteBuffer dst : targets) {
            d.put(a);
            Files.delete(file);
            assertNull(d.read(a.key(), dst.clear()), "removed by another process");
            assertEquals(0, d.stats().heldBytes(), "the removed entry leaves the count");
        }
        assertEquals(0, d.stats().errors());
        // A directory where the indexed entry's file was: opening it works, reading it fails.
        d.put(a);
        Files.delete(file);
        Files.createDirectory(file);
        for (ByteBuffer dst : targets) {
            assertNull(d.read(a.key(), dst.clear()), "a directory, not an entry");
        }
        assertEquals(2, d.stats().errors());
        assertEquals(0, d.stats().badEntries());
        Files.delete(file);
        d.put(a);
        for (ByteBuffer dst : targets) {
            Chunks.assertSameKv(a, d.read(a.key(), dst.clear()));
        }
    }

    @Test
    void aStoreDirectoryNamedInAnyScriptIsReadByBothPaths() throws IOException {
        // Spelled in the file system's encoding for the cpu library's reads (UTF-8 here; a name it cannot spell is
        // read through a file channel).
        String name = "chunks \u00fc \u6f22\u5b57";
        Charset names = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        DiskTier d = new DiskTier(dir.resolve(names.newEncoder().canEncode(name) ? name : "chunks ascii"), 1L << 30);
        ChunkKv a = Chunks.random(1);
        d.put(a);
        Chunks.assertSameKv(a, d.read(a.key(), ByteBuffer.allocateDirect(a.bytes())));
        Chunks.assertSameKv(a, d.get(a.key()));
        assertEquals(0, d.stats().errors());
        assertEquals(2, d.stats().hits());
    }

    @Test
    void readsIntoABufferPickedByPayloadSize() throws IOException {
        ChunkKv a = Chunks.random(1);
        MemoryTier m = new MemoryTier(1 << 20);
        m.put(a);
        DiskTier d = new DiskTier(dir, 1L << 30);
        d.put(a);
        for (ChunkTier tier : List.of(m, d)) {
            int[] asked = new int[2];
            ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes() + 8).position(8);
            Chunks.assertSameKv(a, tier.read(a.key(), bytes -> {
                asked[0]++;
                asked[1] = bytes;
                return dst;
            }));
            assertEquals(1, asked[0], tier.name() + ": asked once");
            assertEquals(a.bytes(), asked[1], tier.name() + ": asked for the payload's size");
            assertEquals(8, dst.position(), "the position is not moved");
            assertEquals(a.payload(), dst.slice(8, a.bytes()));
            assertNull(tier.read(a.key(), bytes -> null), tier.name() + ": a declined entry is a miss");
            assertNull(tier.read(a.key(), bytes -> ByteBuffer.allocate(bytes - 1)), "no room: a miss");
            assertThrows(IllegalArgumentException.class,
                    () -> tier.read(a.key(), bytes -> ByteBuffer.allocate(bytes).asReadOnlyBuffer()));
            assertThrows(IllegalArgumentException.class,
                    () -> tier.read(a.key(), (java.util.function.IntFunction<ByteBuffer>) null));
        }
        assertTrue(Files.exists(d.file(a.key())), "a declined entry is left in place");
        assertEquals(0, d.stats().badEntries());
    }

    @Test
    void tieredReadPromotesOnlyWhatTheMemoryTierKeeps() throws IOException {
        ChunkKv a = Chunks.random(1);
        try (TieredChunkStore first = TieredChunkStore.builder().memory(0).disk(dir, 1L << 30).build()) {
            first.put(a);
        }
        try (TieredChunkStore small = TieredChunkStore.builder().memory(a.bytes() - 1).disk(dir, 1L << 30).build()) {
            Chunks.assertSameKv(a, small.read(a.key(), bytes -> ByteBuffer.allocateDirect(bytes)));
            assertEquals(0, small.stats().get(0).puts(), "an entry over the memory budget is not copied");
            assertEquals(1, small.stats().get(1).hits());
        }
        try (TieredChunkStore big = TieredChunkStore.builder().memory(1 << 20).disk(dir, 1L << 30).build()) {
            Chunks.assertSameKv(a, big.read(a.key(), bytes -> ByteBuffer.allocateDirect(bytes)));
            Chunks.assertSameKv(a, big.read(a.key(), bytes -> ByteBuffer.allocate(bytes)));
            assertEquals(1, big.stats().get(0).hits(), "the disk hit was promoted into memory");
            assertEquals(1, big.stats().get(1).hits());
        }
    }

    @Test
    void storeViewReusesItsBuffersAfterEachRelease() throws IOException {
        try (TieredChunkStore store = TieredChunkStore.builder().memory(1 << 20).disk(dir, 1L << 30).build()) {
            StoreChunkView view = new StoreChunkView(store, Chunks.MODEL, DType.F32, 2, 0, 1);
            dev.npukit.mepic.ChunkId x = dev.npukit.mepic.ChunkId.ofPadded(new int[] {1, 2});
            dev.npukit.mepic.ChunkId y = dev.npukit.mepic.ChunkId.ofPadded(new int[] {3, 4});
            dev.npukit.mepic.ChunkId z = dev.npukit.mepic.ChunkId.ofPadded(new int[] {5, 6, 7, 8});
            view.store(x, 1, 2, new float[][][][] {{{{1, 1, 1, 1}, {1, 1, 1, 1}}}});
            view.store(y, 1, 2, new float[][][][] {{{{2, 2, 2, 2}, {2, 2, 2, 2}}}});
            view.store(z, 1, 2, new float[][][][] {{{{3, 3, 3, 3}, {3, 3, 3, 3}}}, {{{4, 4, 4, 4}, {4, 4, 4, 4}}}});
            assertTrue(view.contains(x));
            assertTrue(view.contains(y));
            ChunkKv heldX = view.held(x);
            ChunkKv heldY = view.held(y);
            assertEquals(1f, heldX.block(0, 0)[0][0], "two entries held at once have buffers of their own");
            assertEquals(2f, heldY.block(0, 0)[0][0]);
            view.releaseAll();
            assertTrue(view.contains(y));
            assertTrue(view.contains(x));
            assertEquals(2f, heldX.block(0, 0)[0][0], "x's released buffer holds y: reused, not reallocated");
            assertEquals(1f, view.held(x).block(0, 0)[0][0]);
            view.releaseAll();
            assertTrue(view.contains(z), "a larger entry gets a buffer of its size");
            assertEquals(4f, view.held(z).block(1, 0)[1][3]);
            assertFalse(view.contains(dev.npukit.mepic.ChunkId.ofPadded(new int[] {9, 9})));
            assertEquals(5, view.chunksFetched());
        }
    }

    @Test
    void tieredReadFillsTheCallersBufferAndPromotesAHit() throws IOException {
        ChunkKv a = Chunks.random(1);
        try (TieredChunkStore first = TieredChunkStore.builder().memory(1 << 20).disk(dir, 1L << 30).build()) {
            first.put(a);
        }
        try (TieredChunkStore second = TieredChunkStore.builder().memory(1 << 20).disk(dir, 1L << 30).build()) {
            ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes());
            Chunks.assertSameKv(a, second.read(a.key(), dst));
            dst.clear().put(new byte[a.bytes()]).clear();
            Chunks.assertSameKv(a, second.get(a.key()));
            assertEquals(1, second.stats().get(0).hits(), "the disk hit was promoted into memory, as its own copy");
            Chunks.assertSameKv(a, second.read(a.key(), dst));
            assertEquals(1, second.stats().get(1).hits());
            assertNull(second.read(Chunks.key(99), dst.clear()));
        }
    }

    @Test
    void anotherModelOrDtypeNeverReadsThisOnesKv() throws IOException {
        ChunkKv a = Chunks.random(Chunks.key(Chunks.MODEL, DType.F16, 4), 2, 4);
        DiskTier d = new DiskTier(dir, 1L << 30);
        d.put(a);
        ChunkKey otherModel = Chunks.key("sha256:test-model-b", DType.F16, 4);
        ChunkKey otherDtype = Chunks.key(Chunks.MODEL, DType.BF16, 4);
        assertNull(d.get(otherModel));
        assertNull(d.get(otherDtype));
        // Even an entry file renamed to another key's address is refused by its header.
        Files.createDirectories(d.file(otherModel).getParent());
        Files.copy(d.file(a.key()), d.file(otherModel), StandardCopyOption.REPLACE_EXISTING);
        assertNull(d.get(otherModel));
        assertEquals(1, d.stats().badEntries());
        Chunks.assertSameKv(a, d.get(a.key()));
    }

    @Test
    void staleTemporaryFilesAreRemovedAtOpenAndNeverRead() throws IOException {
        ChunkKv a = Chunks.random(1);
        DiskTier d = new DiskTier(dir, 1L << 30);
        Path file = d.file(a.key());
        Files.createDirectories(file.getParent());
        Path stale = file.getParent().resolve("." + file.getFileName() + "123.tmp");
        Files.write(stale, Arrays.copyOf(ChunkCodec.encode(a), 100));
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(DiskTier.STALE_TEMP).minusSeconds(1)));
        Path fresh = file.getParent().resolve("." + file.getFileName() + "456.tmp");
        Files.write(fresh, new byte[10]);
        DiskTier reopened = new DiskTier(dir, 1L << 30);
        assertNull(reopened.get(a.key()));
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(fresh), "a recent temporary file may be another process's write in progress");
        assertEquals(0, reopened.stats().heldBytes());
    }

    @Test
    void tieredStoreReadsThroughAndPromotes() throws IOException, InterruptedException {
        ChunkKv a = Chunks.random(1);
        try (TieredChunkStore first = TieredChunkStore.builder().memory(1 << 20).disk(dir, 1L << 30).build()) {
            first.put(a);
            assertEquals("disk", first.kind());
        }
        try (TieredChunkStore second = TieredChunkStore.builder().memory(1 << 20).disk(dir, 1L << 30).build()) {
            assertTrue(second.contains(a.key()));
            Chunks.assertSameKv(a, second.get(a.key()));
            Chunks.assertSameKv(a, second.get(a.key()));
            TierStats memory = second.stats().get(0);
            TierStats disk = second.stats().get(1);
            assertEquals(1, memory.hits(), "the second get is served from memory");
            assertEquals(1, memory.misses());
            assertEquals(1, disk.hits());
            assertNull(second.get(Chunks.key(99)));
            assertTrue(second.flush(java.time.Duration.ofSeconds(1)));
        }
    }

    @Test
    void storeViewAnswersTheCacheManagerAndHoldsWhatItSaw() throws IOException {
        try (TieredChunkStore store = TieredChunkStore.open("memory")) {
            StoreChunkView view = new StoreChunkView(store, Chunks.MODEL, DType.F32, 2, 0, 1);
            dev.npukit.mepic.ChunkId id = dev.npukit.mepic.ChunkId.ofPadded(new int[] {5, 6});
            assertFalse(view.contains(id));
            float[][][][] blocks = {{{{1, 2, 3, 4}, {5, 6, 7, 8}}}};
            view.store(id, 1, 2, blocks);
            assertTrue(view.contains(id));
            ChunkKv held = view.held(id);
            assertEquals(view.key(id), held.key());
            assertEquals(Arrays.toString(blocks[0][0][1]), Arrays.toString(held.block(0, 0)[1]));
            ByteBuffer raw = held.blockBytes(0, 0);
            assertEquals(8 * 4, raw.remaining(), "keys then values, F32");
            assertEquals(5f, raw.getFloat(4 * 4), "the first value follows the four keys");
            assertTrue(raw.isReadOnly());
            assertTrue(view.stored(id));
            assertEquals(1, view.chunksStored());
            assertEquals(1, view.chunksFetched());
            assertEquals(held.bytes(), view.bytesFetched());
            ByteBuffer p = held.payload().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1f, p.getFloat(0));
            view.releaseAll();
            assertNull(view.held(id), "released");
        }
    }

    private static byte[] flipped(byte[] b, int at) {
        byte[] c = b.clone();
        c[at] ^= 1;
        return c;
    }

    private static byte[] withVersion(byte[] b, int version) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putInt(4, version);
        return c;
    }

    static long countFiles(Path dir, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(suffix)).count();
        }
    }
}
