package dev.npukit.serving.store;

import dev.npukit.util.Check;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Chunk KV in Redis, standalone or Cluster, shared by every host pointed at it (through Jedis). The entry of key
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
    /** Part size of the short constructors. */
    public static final int DEFAULT_PART_BYTES = 4 << 20;
    /** Connections moving parts at once, in the short constructors. */
    public static final int DEFAULT_PARALLELISM = 4;
    /** More parts than this in a header means a damaged entry (a 2 GiB entry in 4 MiB parts has 512). */
    private static final int MAX_PARTS = 1 << 16;
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());

    private final RedisTarget target;
    private final int timeoutMillis;
    private final long retryNanos;
    private final int partBytes;
    private final ExecutorService parts;
    private final TierCounters counters = new TierCounters();
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
        Check.arg(target != null, "target", "is null");
        Check.arg(timeoutMillis > 0, "timeoutMillis", "is %d, must be positive", timeoutMillis);
        Check.arg(retryMillis >= 0, "retryMillis", "is %d, must be >= 0", retryMillis);
        Check.arg(partBytes >= ChunkCodec.MAX_HEADER_BYTES, "partBytes",
                "is %d, must hold a header (at least %d)", partBytes, ChunkCodec.MAX_HEADER_BYTES);
        Check.arg(parallelism > 0 && parallelism <= 64, "parallelism", "is %d, must be in 1..64", parallelism);
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        this.retryNanos = retryMillis * 1_000_000L;
        this.partBytes = partBytes;
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

    /** Fetches every part, then copies the payload out of them into its target ({@link ChunkCodec#decodeParts}). */
    private ChunkKv load(ChunkKey key, IntFunction<ByteBuffer> target) {
        UnifiedJedis c = client();
        if (c == null) {
            return counters.miss();
        }
        byte[] first;
        try {
            first = c.get(redisKey(key));
        } catch (RuntimeException e) {
            failed("read", e);
            return counters.miss();
        }
        recovered();
        if (first == null) {
            return counters.miss();
        }
        long total = ChunkCodec.declaredEntryBytes(first);
        int n = total < first.length || first.length == 0 ? -1 : (int) Math.min(MAX_PARTS + 1L,
                (total + first.length - 1) / first.length);
        if (n < 1 || n > MAX_PARTS) {
            return bad(c, key, "part 0 does not start an entry of this version");
        }
        List<Future<byte[]>> rest = new ArrayList<>();
        try {
            for (int i = 1; i < n; i++) {
                byte[] k = partKey(key, i);
                rest.add(parts.submit(() -> c.get(k)));
            }
        } catch (RuntimeException e) {
            // Closed meanwhile: the part readers are gone.
            rest.forEach(f -> f.cancel(false));
            failed("read", e);
            return counters.miss();
        }
        // Every part is fetched and sized before the payload's buffer is allocated: a damaged header must not make
        // the tier allocate what it claims.
        List<byte[]> got = new ArrayList<>();
        got.add(first);
        long at = first.length;
        for (int i = 1; i < n; i++) {
            byte[] part;
            try {
                part = rest.get(i - 1).get();
            } catch (ExecutionException e) {
                rest.forEach(f -> f.cancel(false));
                failed("read", e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause()));
                return counters.miss();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rest.forEach(f -> f.cancel(false));
                return counters.miss();
            }
            long want = Math.min(first.length, total - at);
            if (part == null || part.length != want) {
                rest.forEach(f -> f.cancel(false));
                return bad(c, key, "part " + i + (part == null ? " is missing" : " has a wrong size"));
            }
            got.add(part);
            at += want;
        }
        try {
            ChunkKv kv = ChunkCodec.decodeParts(got, total, key, target);
            return kv == null ? counters.miss() : counters.hit(kv);
        } catch (BadEntryException e) {
            return bad(c, key, e.getMessage());
        }
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
        if ((ChunkCodec.entryBytes(kv) + partBytes - 1) / partBytes > MAX_PARTS) {
            counters.dropped.increment();
            return;
        }
        byte[][] entry = ChunkCodec.encodeParts(kv, partBytes);
        try {
            List<Future<?>> rest = new ArrayList<>();
            for (int i = 1; i < entry.length; i++) {
                byte[] k = partKey(kv.key(), i);
                byte[] v = entry[i];
                rest.add(parts.submit(() -> c.set(k, v)));
            }
            for (Future<?> f : rest) {
                f.get();
            }
            // Part 0 last: a reader that finds it finds the rest of a first write.
            c.set(redisKey(kv.key()), entry[0]);
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

    private void failed(String what, RuntimeException e) {
        counters.errors.increment();
        synchronized (this) {
            downUntil = System.nanoTime() + retryNanos;
            if (client != null) {
                // A fresh client after the pause: a cluster's topology may have changed while it was away.
                client.close();
                client = null;
            }
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
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
