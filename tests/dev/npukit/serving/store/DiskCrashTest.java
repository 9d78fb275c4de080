package dev.npukit.serving.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process killed (SIGKILL) while it writes the disk tier leaves only whole entries: reopened, the store returns
 * each key's exact bytes or nothing, never part of an entry.
 */
class DiskCrashTest {
    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesOnlyWholeEntries() throws IOException, InterruptedException {
        Path store = dir.resolve("store");
        Path log = dir.resolve("writer.log");
        int whole = 0;
        long temps = 0;
        // At least three rounds, and more (up to 15) until a kill has landed mid-write: where the kill
        // lands is up to the scheduler, and a busy machine can make a few rounds miss every write.
        for (int round = 0; round < 3 || (temps == 0 && round < 15); round++) {
            Process writer = StoreChild.start(log, "disk-writer", store.toString());
            try {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!Files.readString(log).contains("wrote every key once")) {
                    assertTrue(writer.isAlive(), "the writer died on its own: " + Files.readString(log));
                    assertTrue(System.nanoTime() < end, "the writer wrote nothing in 30 s");
                    Thread.sleep(20);
                }
                // Let it run into the middle of more writes, at a different point each round.
                Thread.sleep(150 + 170L * (round % 5));
            } finally {
                writer.destroyForcibly();
                writer.waitFor(10, TimeUnit.SECONDS);
            }
            DiskTier reopened = new DiskTier(store, 1L << 40);
            whole = 0;
            for (long s = 0; s < StoreChild.WRITER_KEYS; s++) {
                ChunkKv want = Chunks.random(Chunks.key(s), StoreChild.WRITER_BLOCKS, s);
                ChunkKv got = reopened.get(want.key());
                if (got != null) {
                    Chunks.assertSameKv(want, got);
                    whole++;
                }
            }
            assertEquals(0, reopened.stats().badEntries(), "no entry file is partial");
            temps += LocalTiersTest.countFiles(store, ".tmp");
        }
        assertEquals(StoreChild.WRITER_KEYS, whole, "every key was written whole before the kill");
        // A write takes tens of milliseconds, almost all of it with its temporary file open: some kill landed
        // mid-write, and what it left is a temporary file, not an entry.
        assertTrue(temps > 0, "no kill landed during a write, so this run tested nothing");
    }
}
