package dev.npukit.serving.store;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.npukit.util.Check;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.function.IntFunction;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Chunk KV in Redis, standalone or Cluster, shared by every host pointed at it (through Jedis; without TLS, reads
 * go through the tier's own RESP reader, {@code RespChannel}, straight into the caller's buffer). The entry of key
 * {@code K} (its stored form, docs/chunk-store.md) is cut into parts of {@code partBytes}: part 0 at
 * {@code npukit:kv:1:A}, part i at {@code npukit:kv:1:A:i}, where A is K's {@linkplain ChunkKey#address()
 * address}. Parts are written and read over {@code parallelism} connections at once: Redis sends at most 64 KiB
 * to one connection per turn of its event loop, so one 64 MiB reply needs a thousand turns, and several replies
 * in flight share them ({@code npukit bench chunk-store}; see docs/chunk-store.md). In a cluster the parts spread
 * over the masters. Part 0 is written last, so a first write is never seen incomplete; an entry with a part
 * missing (evicted) or mixed from two writes fails its checksum and is a miss. Redis decides eviction (its
 * {@code maxmemory-policy}).
 *
 * <p>Faults never reach the caller: while Redis is unreachable (down at start, gone mid-run, timing out) every
 * get is a miss and every put is left unwritten, one warning is logged per outage, and each failed operation is
 * counted in {@link TierStats#errors()}. After a failure the tier does not touch the network for
 * {@code retryMillis}, so an outage costs the caller nothing but misses; then it tries again. Stored bytes are
 * only ever checked and copied as numbers.
 */
public final class RedisTier implements ChunkTier {
    /** Prefix of every key the tier writes ({@code 1} is the stored form's version). */
    public static final String KEY_PREFIX = "npukit:kv:1:";
    /**
     * The system property that sizes the buffer Jedis reads every reply through, one socket read per fill (the
     * tier's reads over TLS); Jedis reads it once, when its first connection opens. At its default of 8 KiB a
     * 320 KiB chunk takes 40 reads and a 1 MiB piece 128 (docs/chunk-store.md, Measured). An application sets it
     * on its command line ({@code -Djedis.bufferSize.input=1048576}); the {@code npukit} command line sets it to
     * {@link #JEDIS_INPUT_BUFFER_BYTES} when it is unset.
     */
    public static final String JEDIS_INPUT_BUFFER_PROPERTY = "jedis.bufferSize.input";
    /** The Jedis reply buffer the tier's reads are measured with: one read piece. */
    public static final int JEDIS_INPUT_BUFFER_BYTES = 1 << 20;
    /** Part size of the short constructors. */
    public static final int DEFAULT_PART_BYTES = 4 << 20;
    /** Connections moving parts at once, in the short constructors. */
    public static final int DEFAULT_PARALLELISM = 4;
    /** More parts than this in a header means a damaged entry (a 2 GiB entry in 4 MiB parts has 512). */
    private static final int MAX_PARTS = 1 << 16;
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());
    /**
     * Bytes a read fetches per GETRANGE: a quarter of a G1 heap region, at most 1 MiB. An array of half a region or
     * more is a humongous object, which G1 may place in freshly committed memory, whose every page then faults:
     * reading a 64 MiB entry in whole 4 MiB parts ran at a fifth of the loopback probe in half of the processes
     * (docs/chunk-store.md, Measured). Smaller pieces are ordinary young objects that die at once.
     */
    static final int PIECE_BYTES = pieceBytes();
    /**
     * A read channel idle this long is closed rather than reused: a server with a client {@code timeout} closes
     * idle connections, and a read on such a channel would count as an outage.
     */
    private static final long IDLE_CHANNEL_NANOS = 30_000_000_000L;

    private final RedisTarget target;
    private final int timeoutMillis;
    private final long retryNanos;
    private final int partBytes;
    private final int pieceBytes;
    private final ExecutorService parts;
    /**
     * Arrays of one full part, reused by puts: a new array per part would be a humongous object that the collector
     * may place in freshly committed memory at every put (docs/chunk-store.md, Measured). At most one per writer.
     */
    private final ConcurrentLinkedQueue<byte[]> fullParts = new ConcurrentLinkedQueue<>();
    private final int maxFullParts;
    private final TierCounters counters = new TierCounters();
    /** Idle {@link RespChannel}s of the read path per server, each with no reply pending. */
    private final ConcurrentHashMap<RedisTarget.HostPort, ConcurrentLinkedQueue<RespChannel>> channels =
            new ConcurrentHashMap<>();
    private UnifiedJedis client;
    private boolean cluster;
    private long downUntil;
    private boolean warned;
    private boolean closed;

    /**
     * A tier on {@code target}; connects on first use. {@code timeoutMillis} bounds connecting and each reply (a
     * 64 MiB value takes tens of milliseconds on a local network); entries are cut into parts of
     * {@code partBytes}, moved over {@code parallelism} connections at once.
     *
     * @param target the server or cluster
     * @param timeoutMillis the bound on connecting and on each reply, in ms, &gt; 0
     * @param retryMillis how long after a failure the tier leaves the network alone, in ms, &gt;= 0
     * @param partBytes the size of one stored part in bytes; at least a header with the longest model fingerprint
     *     (1108 bytes)
     * @param parallelism connections moving parts at once, 1..64
     * @throws IllegalArgumentException if {@code target} is null or a number is out of range
     */
    public RedisTier(RedisTarget target, int timeoutMillis, long retryMillis, int partBytes, int parallelism) {
        this(target, timeoutMillis, retryMillis, partBytes, parallelism, PIECE_BYTES);
    }

    /** As the public constructor, reading in pieces of {@code pieceBytes} (tests cut them small). */
    RedisTier(RedisTarget target, int timeoutMillis, long retryMillis, int partBytes, int parallelism,
            int pieceBytes) {
        Check.arg(target != null, "target", "is null");
        Check.arg(timeoutMillis > 0, "timeoutMillis", "is %d, must be positive", timeoutMillis);
        Check.arg(retryMillis >= 0, "retryMillis", "is %d, must be >= 0", retryMillis);
        Check.arg(partBytes >= ChunkCodec.MAX_HEADER_BYTES, "partBytes",
                "is %d, must hold a header (at least %d)", partBytes, ChunkCodec.MAX_HEADER_BYTES);
        Check.arg(parallelism > 0 && parallelism <= 64, "parallelism", "is %d, must be in 1..64", parallelism);
        Check.arg(pieceBytes >= ChunkCodec.MAX_HEADER_BYTES, "pieceBytes",
                "is %d, must hold a header (at least %d)", pieceBytes, ChunkCodec.MAX_HEADER_BYTES);
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        this.retryNanos = retryMillis * 1_000_000L;
        this.partBytes = partBytes;
        this.pieceBytes = pieceBytes;
        this.maxFullParts = parallelism + 1;
        this.parts = Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "npukit-chunk-store-redis-part");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A tier on {@code target}: {@value #DEFAULT_PART_BYTES}-byte (4 MiB) parts over {@value #DEFAULT_PARALLELISM}
     * connections.
     *
     * @param target the server or cluster
     * @param timeoutMillis the bound on connecting and on each reply, in ms, &gt; 0
     * @param retryMillis how long after a failure the tier leaves the network alone, in ms, &gt;= 0
     * @throws IllegalArgumentException if {@code target} is null or a number is out of range
     */
    public RedisTier(RedisTarget target, int timeoutMillis, long retryMillis) {
        this(target, timeoutMillis, retryMillis, DEFAULT_PART_BYTES, DEFAULT_PARALLELISM);
    }

    /**
     * A tier on the Redis URI {@code uri} (see {@link RedisTarget}): 5 s timeouts, retrying 1 s after a failure,
     * 4 MiB parts over 4 connections.
     *
     * @param uri a Redis URI, e.g. {@code redis://127.0.0.1:6379}
     * @throws IllegalArgumentException if {@code uri} is not a valid Redis URI ({@link RedisTarget#parse})
     */
    public RedisTier(String uri) {
        this(RedisTarget.parse(uri), 5000, 1000);
    }

    @Override
    public String name() {
        return "redis";
    }

    /**
     * Bytes a read fetches per {@code GETRANGE} in this JVM: a quarter of a G1 heap region, at most 1 MiB (see
     * docs/chunk-store.md, Tiers).
     *
     * @return the read piece size in bytes
     */
    public static int readPieceBytes() {
        return PIECE_BYTES;
    }

    /**
     * Where the tier connects.
     *
     * @return the parsed target
     */
    public RedisTarget target() {
        return target;
    }

    /**
     * Whether the tier talks to a Redis Cluster.
     *
     * @return true for a cluster; false for a standalone server or before the first successful connection
     */
    public synchronized boolean isCluster() {
        return cluster;
    }

    /** The Redis key of part 0 of the entry of {@code key}. */
    static byte[] redisKey(ChunkKey key) {
        return partKey(key, 0);
    }

    static byte[] partKey(ChunkKey key, int part) {
        return (KEY_PREFIX + key.address() + (part == 0 ? "" : ":" + part)).getBytes(StandardCharsets.US_ASCII);
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
     * Sizes every part, then fetches the entry in pieces of {@code pieceBytes} ({@link #PIECE_BYTES}) straight into
     * the payload's target: part 0's first piece (without TLS only its header, the rest of the reply left on the
     * socket), then (if the piece was full) part 0's length, then the other parts' lengths in one pipelined round
     * trip, checked against the header before the target is asked for a buffer (a damaged
     * header must not make the tier allocate what it claims); then each part on a part reader (a single part on the
     * calling thread), its pieces put into the target as they arrive and checksummed, the parts' checksums joined in
     * entry order. No array of a part's size is allocated: Jedis's pieces stay below the collector's humongous-object
     * size (docs/chunk-store.md, Measured), and a {@link RespChannel} reads pieces into the target with no array.
     */
    private ChunkKv load(ChunkKey key, IntFunction<ByteBuffer> target) {
        UnifiedJedis c = client();
        if (c == null) {
            return counters.miss();
        }
        First first;
        try {
            first = directReads() ? firstDirect(c, key) : firstJedis(c, key);
        } catch (RuntimeException e) {
            failed("read", e);
            return counters.miss();
        }
        try {
            return load(c, key, target, first);
        } finally {
            // Still held after an early return, part 0's reply is unread on the socket: that channel is closed.
            release(first.takeOpen(), false);
        }
    }

    private ChunkKv load(UnifiedJedis c, ChunkKey key, IntFunction<ByteBuffer> target, First first) {
        byte[] head = first.head;
        long firstBytes;
        try {
            // A first piece shorter than asked is all of part 0 (a chunk of one piece: one round trip).
            firstBytes = first.length < pieceBytes ? first.length : c.strlen(redisKey(key));
        } catch (RuntimeException e) {
            failed("read", e);
            return counters.miss();
        }
        recovered();
        if (firstBytes == 0) {
            return counters.miss();
        }
        long total = ChunkCodec.declaredEntryBytes(head);
        int n = total < firstBytes || first.length != Math.min(firstBytes, pieceBytes) ? -1
                : (int) Math.min(MAX_PARTS + 1L, (total + firstBytes - 1) / firstBytes);
        if (n < 1 || n > MAX_PARTS) {
            return bad(c, key, "part 0 does not start an entry of this version");
        }
        ChunkCodec.Layout layout;
        try {
            layout = ChunkCodec.layout(ByteBuffer.wrap(head), total);
        } catch (BadEntryException e) {
            return bad(c, key, e.getMessage());
        }
        if (n > 1) {
            List<Response<Long>> lengths = new ArrayList<>();
            try (AbstractPipeline p = c.pipelined()) {
                for (int i = 1; i < n; i++) {
                    lengths.add(p.strlen(partKey(key, i)));
                }
                p.sync();
                for (int i = 1; i < n; i++) {
                    long got = lengths.get(i - 1).get();
                    if (got != Math.min(firstBytes, total - i * firstBytes)) {
                        return bad(c, key, "part " + i + (got == 0 ? " is missing" : " has a wrong size"));
                    }
                }
            } catch (RuntimeException e) {
                failed("read", e);
                return counters.miss();
            }
        }
        ByteBuffer payload = target.apply(layout.payloadBytes());
        if (payload == null) {
            return counters.miss();
        }
        byte[] trailer = new byte[ChunkCodec.TRAILER];
        List<Future<Integer>> crcs = new ArrayList<>();
        RuntimeException failure = null;
        BadEntryException damage = null;
        try {
            for (int i = 0; i < n; i++) {
                int part = i;
                Callable<Integer> fetch = () -> fetchPart(c, key, part, firstBytes, total, first, layout, payload,
                        trailer);
                if (n == 1) {
                    // One part: fetched on the calling thread, without a hand-over to a part reader.
                    FutureTask<Integer> here = new FutureTask<>(fetch);
                    here.run();
                    crcs.add(here);
                } else {
                    crcs.add(parts.submit(fetch));
                }
            }
        } catch (RuntimeException e) {
            // Closed meanwhile: the part readers are gone.
            failure = e;
        }
        // Every part reader has finished before this returns, so none writes the caller's buffer afterwards.
        int crc = 0;
        boolean interrupted = false;
        for (int i = 0; i < crcs.size(); i++) {
            while (true) {
                try {
                    int partCrc = crcs.get(i).get();
                    long at = i * firstBytes;
                    crc = Crc32c.combine(crc, partCrc,
                            ChunkCodec.checkedBytes(layout, at, (int) Math.min(firstBytes, total - at)));
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof BadEntryException b) {
                        damage = damage == null ? b : damage;
                    } else if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
            return counters.miss();
        }
        if (failure != null) {
            failed("read", failure);
            return counters.miss();
        }
        try {
            if (damage != null) {
                throw damage;
            }
            return counters.hit(ChunkCodec.checked(ByteBuffer.wrap(head, 0, layout.headerBytes()).slice(), crc,
                    ChunkCodec.trailer(trailer), key, payload));
        } catch (BadEntryException e) {
            return bad(c, key, e.getMessage());
        }
    }

    /**
     * Part 0's first piece: {@code length} bytes, of which {@code head} holds the first: all of them through Jedis;
     * the header through a {@link RespChannel}, whose reply on the socket holds the rest ({@link #takeOpen}).
     */
    private static final class First {
        private static final byte[] NONE = new byte[0];
        final byte[] head;
        final long length;
        /** Whether the entry's pieces are read through {@link RespChannel}s. */
        final boolean direct;
        private RespChannel open;

        First(byte[] head, long length, boolean direct, RespChannel open) {
            this.head = head;
            this.length = length;
            this.direct = direct;
            this.open = open;
        }

        /** The channel holding the rest of the reply, once: its taker reads the reply to its end or closes it. */
        synchronized RespChannel takeOpen() {
            RespChannel o = open;
            open = null;
            return o;
        }
    }

    private First firstJedis(UnifiedJedis c, ChunkKey key) {
        byte[] head = c.getrange(redisKey(key), 0, pieceBytes - 1);
        return head == null ? new First(First.NONE, 0, false, null) : new First(head, head.length, false, null);
    }

    private First firstDirect(UnifiedJedis c, ChunkKey key) {
        RespChannel ch = channel(c, redisKey(key));
        try {
            ch.sendGetrange(redisKey(key), 0, pieceBytes - 1);
            long length = ch.bulkLength();
            if (length < 0 || length > pieceBytes) {
                throw new IOException("GETRANGE of " + pieceBytes + " bytes replied a length of " + length);
            }
            if (length == 0) {
                // A missing key reads as an empty string.
                ch.readBulkEnd();
                release(ch, true);
                return new First(First.NONE, 0, true, null);
            }
            byte[] head = new byte[(int) Math.min(length, ChunkCodec.MAX_HEADER_BYTES)];
            ch.readFully(ByteBuffer.wrap(head));
            return new First(head, length, true, ch);
        } catch (IOException e) {
            release(ch, false);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            release(ch, false);
            throw e;
        }
    }

    /**
     * Fetches part {@code part} (of {@code partBytes}, the last one shorter; part 0's first piece is {@code first},
     * its head already fetched) piece by piece, putting each into {@code payload} and {@code trailer}; returns the
     * CRC32C of the part's checksummed bytes. A piece shorter than asked means the part changed since it was sized.
     */
    private int fetchPart(UnifiedJedis c, ChunkKey key, int part, long partBytes, long total, First first,
            ChunkCodec.Layout layout, ByteBuffer payload, byte[] trailer) throws BadEntryException, IOException {
        byte[] k = partKey(key, part);
        long start = part * partBytes;
        int length = (int) Math.min(partBytes, total - start);
        RespChannel ch = !first.direct ? null : part == 0 ? first.takeOpen() : channel(c, k);
        boolean clean = false;
        try {
            int crc = 0;
            for (int from = 0; from < length; ) {
                int want = Math.min(pieceBytes, length - from);
                long at = start + from;
                int pieceCrc;
                if (part == 0 && from == 0) {
                    byte[] head = first.head;
                    pieceCrc = ChunkCodec.scatter(layout, at, head, 0, head.length, payload, trailer);
                    if (ch != null) {
                        // The rest of the first reply, straight from the socket.
                        int rest = want - head.length;
                        ch.readBulkEnd(ChunkCodec.places(layout, head.length, rest, payload, trailer));
                        pieceCrc = Crc32c.combine(pieceCrc, ChunkCodec.placedCrc(layout, head.length, rest, payload),
                                ChunkCodec.checkedBytes(layout, head.length, rest));
                    }
                } else if (ch != null) {
                    ch.sendGetrange(k, from, from + want - 1L);
                    if (ch.bulkLength() != want) {
                        throw changed(part);
                    }
                    ch.readBulkEnd(ChunkCodec.places(layout, at, want, payload, trailer));
                    pieceCrc = ChunkCodec.placedCrc(layout, at, want, payload);
                } else {
                    byte[] piece = c.getrange(k, from, from + want - 1L);
                    if (piece == null || piece.length != want) {
                        throw changed(part);
                    }
                    pieceCrc = ChunkCodec.scatter(layout, at, piece, 0, want, payload, trailer);
                }
                crc = Crc32c.combine(crc, pieceCrc, ChunkCodec.checkedBytes(layout, at, want));
                from += want;
            }
            clean = true;
            return crc;
        } finally {
            release(ch, clean);
        }
    }

    private static BadEntryException changed(int part) {
        return new BadEntryException(BadEntryException.Reason.CORRUPT, "part " + part + " changed while read");
    }

    /**
     * Counts a refused entry and deletes its part 0, which makes it unreachable; its other parts are overwritten by
     * the next put of the chunk or evicted by Redis (deleting them all would cost a round trip per part that a
     * damaged header claims).
     */
    private ChunkKv bad(UnifiedJedis c, ChunkKey key, String why) {
        counters.badEntries.increment();
        LOG.log(Level.DEBUG, () -> "chunk store: ignoring Redis entry " + KEY_PREFIX + key.address() + ": " + why);
        try {
            c.del(redisKey(key));
        } catch (RuntimeException ex) {
            failed("delete a bad entry", ex);
        }
        return counters.miss();
    }

    @Override
    public boolean contains(ChunkKey key) {
        UnifiedJedis c = client();
        if (c == null) {
            return false;
        }
        try {
            boolean held = c.exists(redisKey(key));
            recovered();
            return held;
        } catch (RuntimeException e) {
            failed("query", e);
            return false;
        }
    }

    @Override
    public void put(ChunkKv kv) {
        Check.arg(kv != null, "kv", "is null");
        UnifiedJedis c = client();
        if (c == null) {
            return;
        }
        long total = ChunkCodec.entryBytes(kv);
        int n = (int) Math.min(MAX_PARTS + 1L, (total + partBytes - 1) / partBytes);
        if (n > MAX_PARTS) {
            counters.dropped.increment();
            return;
        }
        ByteBuffer header = ChunkCodec.header(kv);
        ByteBuffer trailer = ChunkCodec.trailer(header, kv);
        ByteBuffer payload = kv.payload().slice();
        try {
            List<Future<?>> rest = new ArrayList<>();
            for (int i = 1; i < n; i++) {
                int part = i;
                rest.add(parts.submit(() -> writePart(c, kv.key(), header, payload, trailer, part, total)));
            }
            for (Future<?> f : rest) {
                f.get();
            }
            // Part 0 last: a reader that finds it finds the rest of a first write.
            writePart(c, kv.key(), header, payload, trailer, 0, total);
        } catch (ExecutionException e) {
            failed("write", e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause()));
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            failed("write", e);
            return;
        }
        recovered();
        counters.put(kv);
    }

    /**
     * Encodes part {@code part} of the entry of {@code key} into an array of the tier's and SETs it. Full parts go
     * through {@link #fullParts}, so puts allocate no array of a part's size; a shorter last part is made to
     * measure (Jedis sends whole arrays).
     */
    private Void writePart(UnifiedJedis c, ChunkKey key, ByteBuffer header, ByteBuffer payload, ByteBuffer trailer,
            int part, long total) {
        long start = (long) part * partBytes;
        int length = (int) Math.min(partBytes, total - start);
        byte[] out = length == partBytes ? fullParts.poll() : null;
        if (out == null) {
            out = new byte[length];
        }
        try {
            ChunkCodec.fill(header, payload, trailer, start, out);
            // As Jedis' set(byte[], byte[]), except that the value is sent from this array: set copies it first.
            c.executeCommand(new CommandObject<>(new CommandArguments(Protocol.Command.SET).key(partKey(key, part))
                    .add(new Value(out)), BuilderFactory.STRING));
        } finally {
            if (out.length == partBytes && fullParts.size() < maxFullParts) {
                fullParts.offer(out);
            }
        }
        return null;
    }

    private static int pieceBytes() {
        long region = 0;
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (vm != null && Boolean.parseBoolean(vm.getVMOption("UseG1GC").getValue())) {
                region = Long.parseLong(vm.getVMOption("G1HeapRegionSize").getValue());
            }
        } catch (RuntimeException | LinkageError e) {
            // Not HotSpot, or jdk.management absent: the 1 MiB default.
        }
        return region > 0 ? (int) Math.max(64 << 10, Math.min(1 << 20, region / 4)) : 1 << 20;
    }

    /** A command argument sent from the caller's array as it is (Jedis copies a {@code byte[]} argument). */
    private record Value(byte[] raw) implements Rawable {
        @Override
        public byte[] getRaw() {
            return raw;
        }
    }

    /** The client, connecting when there is none; null while the tier is down (counted as an error). */
    private synchronized UnifiedJedis client() {
        if (closed) {
            return null;
        }
        if (client != null) {
            return client;
        }
        if (System.nanoTime() - downUntil < 0) {
            counters.errors.increment();
            return null;
        }
        try {
            client = connect();
            return client;
        } catch (RuntimeException e) {
            failed("connect", e);
            return null;
        }
    }

    private UnifiedJedis connect() {
        JedisClientConfig config = DefaultJedisClientConfig.builder().user(target.user()).password(target.password())
                .ssl(target.tls()).database(target.database()).connectionTimeoutMillis(timeoutMillis)
                .socketTimeoutMillis(timeoutMillis).clientName("npukit-chunk-store").build();
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        for (RedisTarget.HostPort hp : target.hosts()) {
            nodes.add(new HostAndPort(hp.host(), hp.port()));
        }
        if (nodes.size() == 1) {
            UnifiedJedis standalone = RedisClient.builder().hostAndPort(nodes.iterator().next()).clientConfig(config)
                    .build();
            boolean clusterNode;
            try {
                clusterNode = standalone.info("cluster").contains("cluster_enabled:1");
            } catch (RuntimeException e) {
                standalone.close();
                throw e;
            }
            if (!clusterNode) {
                cluster = false;
                return standalone;
            }
            standalone.close();
        }
        cluster = true;
        return RedisClusterClient.builder().nodes(nodes).clientConfig(config).build();
    }

    /**
     * Whether reads go through {@link RespChannel}s: from a standalone server or a cluster, without TLS (TLS needs
     * the JVM's TLS sockets: those reads stay with Jedis).
     */
    private boolean directReads() {
        return !target.tls();
    }

    /**
     * An idle read channel to the server that holds {@code key}, or a new one: in a cluster, the master of the key's
     * slot as {@code c} knows it (a channel to another node gets a MOVED error reply, a failed read, after which
     * the tier reconnects and learns the cluster's slots again).
     */
    private RespChannel channel(UnifiedJedis c, byte[] key) {
        RedisTarget.HostPort node = target.hosts().get(0);
        if (c instanceof RedisClusterClient clusterClient) {
            try (Connection master = clusterClient.getConnectionFromSlot(JedisClusterCRC16.getSlot(key))) {
                node = new RedisTarget.HostPort(master.getHostAndPort().getHost(), master.getHostAndPort().getPort());
            }
        }
        ConcurrentLinkedQueue<RespChannel> idle = channels.get(node);
        long now = System.nanoTime();
        for (RespChannel ch; idle != null && (ch = idle.poll()) != null; ) {
            if (now - ch.idleSince() < IDLE_CHANNEL_NANOS) {
                return ch;
            }
            // A server with a client timeout may have closed it meanwhile.
            ch.close();
        }
        try {
            return RespChannel.open(node, target, timeoutMillis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Gives {@code ch} back to the pool if its reply was read to the end, else closes it; null is ignored. */
    private synchronized void release(RespChannel ch, boolean replyRead) {
        if (ch == null) {
            return;
        }
        if (replyRead && !closed && client != null) {
            ch.idle();
            channels.computeIfAbsent(ch.node(), n -> new ConcurrentLinkedQueue<>()).offer(ch);
        } else {
            ch.close();
        }
    }

    private synchronized void closeChannels() {
        for (ConcurrentLinkedQueue<RespChannel> idle : channels.values()) {
            for (RespChannel ch; (ch = idle.poll()) != null; ) {
                ch.close();
            }
        }
    }

    private void failed(String what, RuntimeException e) {
        counters.errors.increment();
        synchronized (this) {
            downUntil = System.nanoTime() + retryNanos;
            if (client != null) {
                // A fresh client after the pause: a cluster's topology may have changed while it was away.
                client.close();
                client = null;
            }
            closeChannels();
            if (!warned) {
                warned = true;
                LOG.log(Level.WARNING, "chunk store: Redis " + target + " unavailable, cannot " + what + " (" + e
                        + "); chunks are computed instead until it answers again. Failures are counted, not logged.");
            }
        }
    }

    private synchronized void recovered() {
        if (warned) {
            warned = false;
            LOG.log(Level.INFO, "chunk store: Redis " + target + " answers again");
        }
    }

    @Override
    public TierStats stats() {
        return counters.snapshot(name(), -1);
    }

    @Override
    public synchronized void close() {
        closed = true;
        parts.shutdownNow();
        closeChannels();
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
