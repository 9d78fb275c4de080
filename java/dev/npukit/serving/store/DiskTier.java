package dev.npukit.serving.store;

import dev.npukit.bridge.Checksums;
import dev.npukit.bridge.CpuKernels;
import dev.npukit.util.Check;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * Chunk KV in files under one directory, content-addressed: entry {@code A} (its key's
 * {@linkplain ChunkKey#address() address}) is {@code DIR/A[0..2]/A.kv} in the stored form (docs/chunk-store.md).
 * A put writes a temporary file in the same folder, forces it to the device, then renames it over the target
 * (atomic on POSIX file systems) and forces the folder: a reader, or a process started after a crash,
 * sees the whole entry or none. A get reads the header, the payload into its destination and the trailer, and
 * checks the header and the checksum before the payload is used.
 *
 * <p>At most {@code budgetBytes} of entry files, least recently used evicted first. The index of what is held is
 * this process's: it is rebuilt from the directory at open, oldest written first (a hit does not touch the file:
 * that would cost a metadata write per load), and several processes sharing one directory each enforce the budget over the
 * entries they know. Temporary files older than {@link #STALE_TEMP} (left by a process killed mid-write) are
 * removed at open.
 */
public final class DiskTier implements ChunkTier {
    /** A temporary file this old is a killed writer's leftover, not a write in progress. */
    static final Duration STALE_TEMP = Duration.ofMinutes(10);
    private static final String SUFFIX = ".kv";
    /**
     * Payload bytes read, then checksummed, at a time through a file channel: measured slightly ahead of one read
     * call for the whole payload and of smaller pieces, which cost more read calls (docs/chunk-store.md).
     */
    static final int PIECE_BYTES = 4 << 20;
    /**
     * Keys whose file is kept ({@link Named}): naming a file takes a SHA-256 of the key, a cost per read of a small
     * chunk.
     */
    private static final int PATHS_KEPT = 4096;
    /**
     * Whether reads into direct buffers go through the cpu library ({@link #readNative}); reads into heap buffers,
     * and all reads where the library does not load or of a path the file system's encoding cannot spell, go through
     * a {@link FileChannel} ({@link #readChannel}).
     */
    private static final boolean NATIVE_READS = Crc32c.NATIVE_PATH != null;
    /** How the JVM encodes file names for the operating system. */
    private static final Charset FILE_NAMES = Charset.forName(
            System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
    private static final System.Logger LOG = System.getLogger(DiskTier.class.getName());
    /**
     * The thread that checksums the pieces of long entries while their next pieces are read, shared by every disk
     * tier of the process (a daemon: it never keeps the JVM alive). One thread keeps each entry's pieces in order.
     */
    private static final ExecutorService CHECKSUMS = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "npukit-disk-checksum");
        t.setDaemon(true);
        return t;
    });

    private final Path dir;
    private final long budgetBytes;
    private final int pieceBytes;
    private final Map<ChunkKey, Named> paths = new ConcurrentHashMap<>();
    /** Address to file bytes, least recently used first. */
    private final LinkedHashMap<String, Long> index = new LinkedHashMap<>(16, 0.75f, true);
    private final TierCounters counters = new TierCounters();
    private long heldBytes;
    private boolean warned;

    /**
     * Opens the store directory, creating it when missing: indexes the entry files found (oldest written first),
     * removes stale temporary files and evicts down to the budget.
     *
     * @param dir the store directory
     * @param budgetBytes the most entry-file bytes held, &gt;= 0
     * @throws IOException if the directory cannot be created or listed
     * @throws IllegalArgumentException if {@code dir} is null or {@code budgetBytes} is negative
     */
    public DiskTier(Path dir, long budgetBytes) throws IOException {
        this(dir, budgetBytes, PIECE_BYTES);
    }

    /**
     * As {@link #DiskTier(Path, long)}, reading payloads through a file channel in pieces of {@code pieceBytes} (tests
     * cut them small).
     */
    DiskTier(Path dir, long budgetBytes, int pieceBytes) throws IOException {
        Check.arg(dir != null, "dir", "is null");
        Check.arg(budgetBytes >= 0, "budgetBytes", "is %d, must be >= 0", budgetBytes);
        Check.arg(pieceBytes > 0, "pieceBytes", "is %d, must be positive", pieceBytes);
        this.dir = dir.toAbsolutePath();
        this.budgetBytes = budgetBytes;
        this.pieceBytes = pieceBytes;
        Files.createDirectories(this.dir);
        record Found(String address, long bytes, FileTime modified) {
        }
        List<Found> found = new ArrayList<>();
        Instant staleBefore = Instant.now().minus(STALE_TEMP);
        try (Stream<Path> files = Files.walk(this.dir, 2)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                String name = f.getFileName().toString();
                try {
                    if (name.endsWith(".tmp")) {
                        if (Files.getLastModifiedTime(f).toInstant().isBefore(staleBefore)) {
                            Files.deleteIfExists(f);
                        }
                    } else if (name.endsWith(SUFFIX) && f.getParent().getParent().equals(this.dir)) {
                        found.add(new Found(name.substring(0, name.length() - SUFFIX.length()), Files.size(f),
                                Files.getLastModifiedTime(f)));
                    }
                } catch (NoSuchFileException e) {
                    // Removed by another process meanwhile.
                }
            }
        }
        found.sort(Comparator.comparing(Found::modified));
        synchronized (this) {
            for (Found f : found) {
                index.put(f.address(), f.bytes());
                heldBytes += f.bytes();
            }
            evict();
        }
    }

    @Override
    public String name() {
        return "disk";
    }

    /**
     * The store directory.
     *
     * @return its absolute path
     */
    public Path dir() {
        return dir;
    }

    /**
     * Where the entry of {@code key} is stored, whether or not it exists.
     *
     * @param key the entry's key
     * @return {@code DIR/A[0..2]/A.kv}, A the key's address
     */
    public Path file(ChunkKey key) {
        Check.arg(key != null, "key", "is null");
        return named(key).file();
    }

    /**
     * A key's file, its address (the same String every time, its hash computed once), its header's length and its
     * path for the cpu library (null: read through a file channel): what every read of the key needs before its
     * first system call.
     */
    private record Named(Path file, String address, int headerBytes, byte[] nativePath) {
    }

    private Named named(ChunkKey key) {
        Named n = paths.get(key);
        if (n == null) {
            if (paths.size() >= PATHS_KEPT) {
                paths.clear();
            }
            String address = key.address();
            Path file = file(address);
            n = new Named(file, address, ChunkCodec.headerBytes(key), NATIVE_READS ? nativePath(file) : null);
            paths.put(key, n);
        }
        return n;
    }

    /**
     * {@code file}'s path as the operating system takes it: in the file system's encoding, NUL-terminated; null when
     * that encoding cannot spell it (its reads then go through a file channel, which names it as the JVM does).
     */
    private static byte[] nativePath(Path file) {
        String path = file.toString();
        if (!FILE_NAMES.newEncoder().canEncode(path)) {
            return null;
        }
        byte[] name = path.getBytes(FILE_NAMES);
        return Arrays.copyOf(name, name.length + 1);
    }

    /** The address a file of {@link #file} is named after. */
    private static String addressOf(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.length() - SUFFIX.length());
    }

    private Path file(String address) {
        return dir.resolve(address.substring(0, 2)).resolve(address + SUFFIX);
    }

    @Override
    public ChunkKv get(ChunkKey key) {
        Check.arg(key != null, "key", "is null");
        return load(key, ChunkCodec.NEW_BUFFER);
    }

    @Override
    public ChunkKv read(ChunkKey key, IntFunction<ByteBuffer> dst) {
        return ChunkCodec.readInto(key, dst, this::load);
    }

    /**
     * Reads the entry with its payload straight into the buffer {@code target} gives for its size: into a direct
     * buffer with the cpu library ({@link #readNative}), else through a file channel ({@link #readChannel}). The
     * header, the checksum, the key echo and the shape are checked before the payload is handed out. The header is
     * read at the length the key's header has: an entry of another key or damaged fails its checks.
     *
     * <p>The entry's size is the one this process indexed for the file (it wrote the file, or saw it at open or at an
     * earlier read), which spares a file-status call per read; an unknown file is sized by the file system. A file
     * whose size no longer matches fails the checks at the size read with: it is then checked at its real size, and
     * only an entry that is bad at that size too is removed (a file replaced by another process's entry of another
     * size is a miss, and the index takes its new size).
     */
    private ChunkKv load(ChunkKey key, IntFunction<ByteBuffer> target) {
        Named named = named(key);
        Path file = named.file();
        String address = named.address();
        Long known;
        synchronized (this) {
            known = index.get(address); // also marks it recently used
        }
        Scratch scratch = Scratch.take();
        ByteBuffer header = scratch.header(named.headerBytes());
        long size;
        ChunkKv kv;
        try {
            size = known != null && holdsEntry(known, header) ? known : Files.size(file);
            if (!holdsEntry(size, header)) {
                return bad(key, file, "file of " + size + " bytes cannot hold an entry of this key");
            }
            ByteBuffer payload = target.apply((int) (size - header.capacity() - ChunkCodec.TRAILER));
            if (payload == null) {
                return counters.miss();
            }
            try {
                kv = named.nativePath() != null && payload.isDirect()
                        ? readNative(named, size, key, header, payload, scratch.trailer())
                        : readChannel(file, size, key, header, payload, scratch.trailer());
            } catch (BadEntryException e) {
                long now = resized(file, size, header);
                if (now < 0) {
                    return bad(key, file, e.getMessage());
                }
                synchronized (this) {
                    Long old = index.replace(address, now);
                    heldBytes += old == null ? 0 : now - old;
                }
                return counters.miss();
            }
        } catch (NoSuchFileException e) {
            forget(key);
            return counters.miss();
        } catch (IOException | UncheckedIOException e) {
            failed("read " + file, e);
            return counters.miss();
        } finally {
            scratch.release();
        }
        if (known == null) {
            synchronized (this) {
                if (index.putIfAbsent(address, size) == null) {
                    // Written by another process sharing the directory: now known here too.
                    heldBytes += size;
                }
            }
        }
        return counters.hit(kv);
    }

    /** Whether a file of {@code size} bytes leaves room for a header of {@code header}'s capacity and a payload. */
    private static boolean holdsEntry(long size, ByteBuffer header) {
        long payloadBytes = size - header.capacity() - ChunkCodec.TRAILER;
        return payloadBytes >= 0 && payloadBytes <= ChunkCodec.MAX_PAYLOAD_BYTES;
    }

    /**
     * The file's size when the file, which failed its checks at the size {@code known} (indexed or read before the
     * file was opened), has another size now at which its header adds up: then it was replaced meanwhile, and is no
     * proof of damage. Else -1. Reads the header again into {@code header}.
     */
    private static long resized(Path file, long known, ByteBuffer header) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == known) {
                return -1;
            }
            header.clear();
            while (header.hasRemaining() && ch.read(header, header.position()) >= 0) {
                // Reads until the header is in or the file ends.
            }
            try {
                ChunkCodec.layout(header.flip(), size);
                return size;
            } catch (BadEntryException e) {
                return -1;
            }
        }
    }

    /**
     * Reads and checks the entry with the cpu library ({@code npukit_read_checksummed}): the file is read in pieces
     * of whole pages on its thread pool, each piece checksummed by the core that copied it, so both cores copy and
     * checksum at once (docs/chunk-store.md, Tiers). {@code payload} must be direct; {@code trailer} has one byte of
     * room past the stored trailer, which a file longer than {@code size} fills.
     */
    private static ChunkKv readNative(Named named, long size, ChunkKey key, ByteBuffer header, ByteBuffer payload,
            ByteBuffer trailer) throws IOException, BadEntryException {
        int[] crc = new int[1];
        // JavaCPP passes each buffer's address plus its position (0 for all three here).
        long got = Checksums.npukit_read_checksummed(named.nativePath(), header, header.capacity(), payload,
                payload.remaining(), trailer, trailer.capacity(), crc);
        if (got < 0) {
            String why = CpuKernels.npukit_last_error().getString();
            if (Files.notExists(named.file())) {
                throw new NoSuchFileException(named.file().toString());
            }
            throw new IOException(why);
        }
        if (got < size) {
            throw new BadEntryException(BadEntryException.Reason.CORRUPT, "file shrank while read");
        }
        if (got > size) {
            throw new BadEntryException(BadEntryException.Reason.CORRUPT, "file longer than its entry");
        }
        checkLayout(header, size);
        return ChunkCodec.checked(header, crc[0], trailer.getInt(0), key, payload);
    }

    /**
     * Checks the header {@code header} (position 0, limit its read length) of an entry file of {@code size} bytes:
     * magic, version and sizes, and that its length is the one the key asked for has.
     */
    private static void checkLayout(ByteBuffer header, long size) throws BadEntryException {
        if (ChunkCodec.layout(header, size).headerBytes() != header.limit()) {
            throw new BadEntryException(BadEntryException.Reason.OTHER_KEY, "header of another key's length");
        }
    }

    /** Reads and checks the entry through a {@link FileChannel} ({@link #readChecked}). */
    private ChunkKv readChannel(Path file, long size, ChunkKey key, ByteBuffer header, ByteBuffer payload,
            ByteBuffer trailer) throws IOException, BadEntryException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readChecked(ch, size, key, header, payload, trailer);
        }
    }

    /**
     * Fills {@code header}, {@code payload} and {@code trailer} from the file's start, piece by piece of
     * {@link #pieceBytes}, and checks them. The header's magic, version and sizes are checked with the first piece,
     * before the rest is read. The first read scatters into the header and the first piece, the last into the last
     * piece and the trailer: an entry of one piece takes one read call and is checksummed here. The pieces of a longer
     * entry are checksummed on {@link #CHECKSUMS}, in order, while the next piece is read: the copy out of the page
     * cache and the checksum then overlap instead of adding up. Every checksum task of the entry has finished before
     * this returns or throws, so none reads the caller's buffer afterwards. {@code trailer} has one byte of room past the
     * stored trailer, which a file longer than {@code size} fills in the same read call.
     */
    private ChunkKv readChecked(FileChannel ch, long size, ChunkKey key, ByteBuffer header, ByteBuffer payload,
            ByteBuffer trailer) throws IOException, BadEntryException {
        Crc32c crc = new Crc32c();
        int n = payload.remaining();
        boolean onePiece = n <= pieceBytes;
        CompletableFuture<Void> checksummed = CompletableFuture.completedFuture(null);
        try {
            int at = 0;
            do {
                int piece = Math.min(pieceBytes, n - at);
                ByteBuffer p = payload.slice(at, piece);
                boolean first = at == 0;
                boolean last = at + piece == n;
                ByteBuffer[] parts = first && last ? new ByteBuffer[] {header, p, trailer}
                        : first ? new ByteBuffer[] {header, p}
                        : last ? new ByteBuffer[] {p, trailer} : new ByteBuffer[] {p};
                ByteBuffer end = parts[parts.length - 1];
                while (end == trailer ? trailer.position() < ChunkCodec.TRAILER : end.hasRemaining()) {
                    if (ch.read(parts) < 0) {
                        throw new BadEntryException(BadEntryException.Reason.CORRUPT, "file shrank while read");
                    }
                }
                if (first) {
                    checkLayout(header.flip(), size);
                    crc.update(header.duplicate());
                }
                ByteBuffer landed = p.flip();
                if (onePiece) {
                    crc.update(landed);
                } else {
                    checksummed = checksummed.thenRunAsync(() -> crc.update(landed), CHECKSUMS);
                }
                at += piece;
            } while (at < n);
        } finally {
            awaitQuietly(checksummed);
        }
        checksummed.join();
        if (trailer.position() > ChunkCodec.TRAILER) {
            throw new BadEntryException(BadEntryException.Reason.CORRUPT, "file longer than its entry");
        }
        return ChunkCodec.checked(header, crc.value(), trailer.getInt(0), key, payload);
    }

    /**
     * A thread's direct buffers for an entry's header and trailer, reused by its reads: no allocation per read, and
     * no copy through the JDK's temporary direct buffers, which a heap buffer would take. A read started while the
     * thread's own are in use (from inside a target) takes new ones.
     */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> MINE = ThreadLocal.withInitial(Scratch::new);
        private final ByteBuffer header = ByteBuffer.allocateDirect(ChunkCodec.MAX_HEADER_BYTES);
        private final ByteBuffer trailer = ByteBuffer.allocateDirect(ChunkCodec.TRAILER + 1)
                .order(ByteOrder.LITTLE_ENDIAN);
        private boolean busy;

        static Scratch take() {
            Scratch s = MINE.get();
            if (s.busy) {
                s = new Scratch();
            }
            s.busy = true;
            return s;
        }

        /** The header buffer cut to {@code bytes}, empty. */
        ByteBuffer header(int bytes) {
            return header.clear().slice(0, bytes);
        }

        /** The trailer buffer with a byte to spare, empty, little-endian. */
        ByteBuffer trailer() {
            return trailer.clear();
        }

        void release() {
            busy = false;
        }
    }

    /** Waits for {@code f} to finish, however it ends and even if interrupted (the flag is kept). */
    private static void awaitQuietly(CompletableFuture<Void> f) {
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean contains(ChunkKey key) {
        return Files.isRegularFile(file(key));
    }

    @Override
    public void put(ChunkKv kv) {
        Check.arg(kv != null, "kv", "is null");
        long bytes = ChunkCodec.entryBytes(kv);
        if (bytes > budgetBytes) {
            counters.dropped.increment();
            return;
        }
        Path file = file(kv.key());
        Path tmp = null;
        try {
            Files.createDirectories(file.getParent());
            tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
            ByteBuffer header = ChunkCodec.header(kv);
            ByteBuffer[] parts = {header, kv.payload(), ChunkCodec.trailer(header, kv)};
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                while (parts[2].hasRemaining()) {
                    ch.write(parts);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Same folder, so every POSIX file system renames atomically; this is a non-POSIX one.
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            forceDirectory(file.getParent());
        } catch (IOException | UncheckedIOException e) {
            failed("write " + file, e);
            return;
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // Removed at the next open once stale.
                }
            }
        }
        counters.put(kv);
        synchronized (this) {
            Long old = index.put(named(kv.key()).address(), bytes);
            heldBytes += bytes - (old == null ? 0 : old);
            evict();
        }
    }

    /** Makes the rename durable: without it a power loss can forget a renamed file. */
    private static void forceDirectory(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Not every platform opens folders; the file itself is already on the device.
        }
    }

    private void evict() {
        assert Thread.holdsLock(this);
        for (Iterator<Map.Entry<String, Long>> it = index.entrySet().iterator(); heldBytes > budgetBytes && it.hasNext();) {
            Map.Entry<String, Long> e = it.next();
            it.remove();
            heldBytes -= e.getValue();
            try {
                Files.deleteIfExists(file(e.getKey()));
                counters.evictions.increment();
            } catch (IOException ex) {
                counters.errors.increment();
            }
        }
    }

    /** The entry of {@code key} is gone (removed by another process): its bytes leave the count. */
    private synchronized void forget(ChunkKey key) {
        Long bytes = index.remove(addressOf(file(key)));
        heldBytes -= bytes == null ? 0 : bytes;
    }

    private ChunkKv bad(ChunkKey key, Path file, String why) {
        String address = addressOf(file);
        counters.badEntries.increment();
        LOG.log(Level.DEBUG, () -> "chunk store: ignoring " + file + ": " + why);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            counters.errors.increment();
        }
        synchronized (this) {
            Long bytes = index.remove(address);
            heldBytes -= bytes == null ? 0 : bytes;
        }
        return counters.miss();
    }

    private void failed(String what, Exception e) {
        counters.errors.increment();
        synchronized (this) {
            if (!warned) {
                warned = true;
                LOG.log(Level.WARNING, "chunk store: disk tier cannot " + what + " (" + e
                        + "); the chunk is computed instead. Later failures are counted, not logged.");
            }
        }
    }

    @Override
    public synchronized TierStats stats() {
        return counters.snapshot(name(), heldBytes);
    }

    @Override
    public void close() {
        // Nothing open between calls.
    }
}
