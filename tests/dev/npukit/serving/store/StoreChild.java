package dev.npukit.serving.store;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other process of the store's multi-process tests (a second host, or a writer that gets killed), started by
 * {@link #start} with the test class path.
 *
 * <ul>
 *   <li>{@code disk-writer DIR}: puts chunks of {@link #WRITER_KEYS} keys into a disk tier in DIR, forever.</li>
 *   <li>{@code get URI FROM TO BLOCKS}: opens a store on URI, gets chunks FROM..TO-1 and compares each byte with
 *       {@link Chunks#random}; exits 0 when all match, 1 (with the reason on stderr) otherwise.</li>
 * </ul>
 */
public final class StoreChild {
    static final int WRITER_KEYS = 40;
    static final int WRITER_BLOCKS = 256;

    private StoreChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "disk-writer" -> {
                DiskTier d = new DiskTier(Path.of(args[1]), 1L << 40);
                // Made up front, so the loop spends its time in puts: a kill then mostly lands mid-write.
                ChunkKv[] chunks = new ChunkKv[WRITER_KEYS];
                for (int k = 0; k < WRITER_KEYS; k++) {
                    chunks[k] = Chunks.random(Chunks.key(k), WRITER_BLOCKS, k);
                }
                for (long i = 0; ; i++) {
                    d.put(chunks[(int) (i % WRITER_KEYS)]);
                    if (i == WRITER_KEYS) {
                        System.out.println("wrote every key once");
                        System.out.flush();
                    }
                }
            }
            case "get" -> {
                int from = Integer.parseInt(args[2]);
                int to = Integer.parseInt(args[3]);
                int blocks = Integer.parseInt(args[4]);
                try (TieredChunkStore store = TieredChunkStore.open(args[1])) {
                    for (int s = from; s < to; s++) {
                        ChunkKv want = Chunks.random(Chunks.key(s), blocks, s);
                        ChunkKv got = store.get(want.key());
                        if (got == null || !got.payload().equals(want.payload()) || !got.key().equals(want.key())) {
                            System.err.println("chunk " + s + ": " + (got == null ? "missing" : "bytes differ"));
                            System.exit(1);
                        }
                    }
                    System.out.println("ok " + (to - from) + " " + store.stats());
                }
                System.exit(0);
            }
            default -> throw new IllegalArgumentException("mode: unknown " + args[0]);
        }
    }

    /** Starts this class in a new JVM with the test class path; stdout and stderr to {@code log}. */
    static Process start(Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(StoreChild.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Runs this class to its end (at most 60 s); returns its exit code. */
    static int run(Path log, String... args) throws IOException, InterruptedException {
        Process p = start(log, args);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
