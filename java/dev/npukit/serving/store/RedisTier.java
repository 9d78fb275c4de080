package dev.npukit.serving.store;

import dev.npukit.kernels.Check;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Chunk KV in Redis, standalone or Cluster, shared by every host pointed at it (through Jedis). Entry of key
 * {@code K} is the string value at {@code npukit:kv:1:} + K's {@linkplain ChunkKey#address() address}, in
 * {@linkplain ChunkCodec the stored form}; Redis decides eviction (its {@code maxmemory-policy}).
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
    private static final System.Logger LOG = System.getLogger(RedisTier.class.getName());

    private final RedisTarget target;
    private final int timeoutMillis;
    private final long retryNanos;
    private final TierCounters counters = new TierCounters();
    private UnifiedJedis client;
    private boolean cluster;
    private long downUntil;
    private boolean warned;
    private boolean closed;

    /**
     * A tier on {@code target}; connects on first use. {@code timeoutMillis} bounds connecting and each reply (a
     * 64 MiB value takes tens of milliseconds on a local network).
     */
    public RedisTier(RedisTarget target, int timeoutMillis, long retryMillis) {
        Check.arg(target != null, "target", "is null");
        Check.arg(timeoutMillis > 0, "timeoutMillis", "is %d, must be positive", timeoutMillis);
        Check.arg(retryMillis >= 0, "retryMillis", "is %d, must be >= 0", retryMillis);
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        this.retryNanos = retryMillis * 1_000_000L;
    }

    /** A tier on the Redis URI {@code uri} (see {@link RedisTarget}), 5 s timeouts, retrying 1 s after a failure. */
    public RedisTier(String uri) {
        this(RedisTarget.parse(uri), 5000, 1000);
    }

    @Override
    public String name() {
        return "redis";
    }

    public RedisTarget target() {
        return target;
    }

    /** Whether the tier talks to a Redis Cluster; known once connected. */
    public synchronized boolean isCluster() {
        return cluster;
    }

    static byte[] redisKey(ChunkKey key) {
        return (KEY_PREFIX + key.address()).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public ChunkKv get(ChunkKey key) {
        UnifiedJedis c = client();
        if (c == null) {
            return counters.miss();
        }
        byte[] k = redisKey(key);
        byte[] v;
        try {
            v = c.get(k);
        } catch (RuntimeException e) {
            failed("read", e);
            return counters.miss();
        }
        recovered();
        if (v == null) {
            return counters.miss();
        }
        try {
            return counters.hit(ChunkCodec.decode(ByteBuffer.wrap(v), key));
        } catch (BadEntryException e) {
            counters.badEntries.increment();
            LOG.log(Level.DEBUG, () -> "chunk store: ignoring Redis entry " + new String(k, StandardCharsets.US_ASCII)
                    + ": " + e.getMessage());
            try {
                c.del(k);
            } catch (RuntimeException ex) {
                failed("delete a bad entry", ex);
            }
            return counters.miss();
        }
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
        try {
            c.set(redisKey(kv.key()), ChunkCodec.encode(kv));
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
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
