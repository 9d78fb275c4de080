package dev.npukit.serving.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bench.LocalRedis;
import dev.npukit.tensor.DType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;

/**
 * The Redis tier against real servers on loopback ports (this machine's redis-server; scripts/install-redis.sh
 * installs it): a standalone server and a three-master Redis Cluster, each shared by two store instances, one of
 * them in another JVM; Redis down at start and killed mid-run; damaged entries.
 */
class RedisStoreTest {
    private static final int BLOCKS = 64;
    private static LocalRedis standalone;
    private static LocalRedis cluster;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServers() throws IOException, InterruptedException {
        standalone = LocalRedis.standalone();
        cluster = LocalRedis.cluster(3);
    }

    @AfterAll
    static void stopServers() {
        if (standalone != null) {
            standalone.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void twoHostsShareChunksThroughOneServer() throws Exception {
        shareBetweenHosts(standalone.uri(), 0, 12);
    }

    @Test
    void twoHostsShareChunksThroughACluster() throws Exception {
        shareBetweenHosts(cluster.uri(), 100, 130);
        int nodesWithKeys = 0;
        for (LocalRedis.Node n : cluster.nodes()) {
            try (RedisClient c = RedisClient.create("127.0.0.1", n.port())) {
                nodesWithKeys += c.dbSize() > 0 ? 1 : 0;
            }
        }
        assertEquals(3, nodesWithKeys, "chunks spread over the cluster's masters");
        // One seed node is enough: the tier asks it whether it is a cluster node.
        RedisTier oneSeed = new RedisTier("redis://127.0.0.1:" + cluster.nodes().get(0).port());
        try (oneSeed) {
            Chunks.assertSameKv(Chunks.random(Chunks.key(101), BLOCKS, 101), oneSeed.get(Chunks.key(101)));
            assertTrue(oneSeed.isCluster());
        }
    }

    /** Host one (this JVM) computes and publishes; host two (another JVM) finds every chunk, byte for byte. */
    private void shareBetweenHosts(String uri, int from, int to) throws Exception {
        try (TieredChunkStore host1 = TieredChunkStore.open(uri)) {
            assertEquals("redis", host1.kind());
            for (int s = from; s < to; s++) {
                host1.put(Chunks.random(Chunks.key(s), BLOCKS, s));
            }
            assertTrue(host1.flush(Duration.ofSeconds(30)));
            TierStats redis = host1.stats().get(1);
            assertEquals(to - from, redis.puts(), redis.toString());
            assertEquals(0, redis.errors() + redis.dropped(), redis.toString());
        }
        Path log = dir.resolve("host2.log");
        int exit = StoreChild.run(log, "get", uri, String.valueOf(from), String.valueOf(to), String.valueOf(BLOCKS));
        assertEquals(0, exit, "host two: " + Files.readString(log));
        // A third instance in this JVM, starting with empty memory, and a model or dtype it must not read.
        try (TieredChunkStore host3 = TieredChunkStore.open(uri)) {
            Chunks.assertSameKv(Chunks.random(Chunks.key(from), BLOCKS, from), host3.get(Chunks.key(from)));
            assertNull(host3.get(Chunks.key("sha256:test-model-b", DType.F16, from)));
            assertNull(host3.get(Chunks.key(Chunks.MODEL, DType.BF16, from)));
            assertEquals(1, host3.stats().get(1).hits());
        }
    }

    @Test
    void redisDownAtStartMeansMisses() throws Exception {
        int port;
        try (LocalRedis gone = LocalRedis.standalone()) {
            port = gone.nodes().get(0).port();
        }
        try (Warnings w = new Warnings();
                TieredChunkStore store = TieredChunkStore.builder()
                        .remote(new RedisTier(RedisTarget.parse("redis://127.0.0.1:" + port), 500, 0), 1 << 20)
                        .build()) {
            ChunkKv a = Chunks.random(1);
            assertNull(store.get(Chunks.key(2)));
            store.put(a);
            assertTrue(store.flush(Duration.ofSeconds(10)));
            Chunks.assertSameKv(a, store.get(a.key()));
            assertFalse(store.contains(Chunks.key(3)));
            TierStats redis = store.stats().get(1);
            assertTrue(redis.errors() >= 3, redis.toString());
            assertEquals(0, redis.puts());
            assertEquals(1, w.count(), "one warning per outage: " + w.messages);
        }
    }

    @Test
    void redisGoingAwayMidRunMeansMissesThenRecovers() throws Exception {
        try (LocalRedis server = LocalRedis.standalone(); Warnings w = new Warnings()) {
            RedisTier tier = new RedisTier(RedisTarget.parse(server.uri()), 1000, 200);
            try (tier) {
                ChunkKv a = Chunks.random(1);
                tier.put(a);
                Chunks.assertSameKv(a, tier.get(a.key()));
                server.kill(0);
                for (int i = 0; i < 5; i++) {
                    assertNull(tier.get(a.key()));
                    tier.put(Chunks.random(2));
                }
                TierStats down = tier.stats();
                assertEquals(10, down.errors(), down.toString());
                assertEquals(1, down.puts());
                assertEquals(1, w.count(), "one warning per outage: " + w.messages);
                server.restart(0);
                Thread.sleep(300);
                assertNull(tier.get(a.key()), "the restarted server is empty (no persistence)");
                tier.put(a);
                Chunks.assertSameKv(a, tier.get(a.key()));
                assertEquals(10, tier.stats().errors());
            }
        }
    }

    @Test
    void damagedRedisEntriesAreIgnoredRemovedAndReplaced() {
        ChunkKv a = Chunks.random(Chunks.key(500), 4, 500);
        byte[] key = RedisTier.redisKey(a.key());
        byte[] good = ChunkCodec.encode(a);
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 4;
        byte[] otherVersion = good.clone();
        otherVersion[4] = 9;
        byte[] claimsMore = good.clone();
        java.nio.ByteBuffer.wrap(claimsMore).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(40, 40L * good.length);
        byte[] claimsHuge = good.clone();
        java.nio.ByteBuffer.wrap(claimsHuge).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(40, 1L << 30);
        List<byte[]> damaged = List.of(Arrays.copyOf(good, good.length - 1), flipped, otherVersion, new byte[] {1},
                claimsMore, claimsHuge);
        try (RedisTier tier = new RedisTier(standalone.uri()); RedisClient raw = RedisClient.create("127.0.0.1",
                standalone.nodes().get(0).port())) {
            for (byte[] bad : damaged) {
                raw.set(key, bad);
                assertNull(tier.get(a.key()));
                assertFalse(raw.exists(key), "a damaged entry is deleted");
                tier.put(a);
                Chunks.assertSameKv(a, tier.get(a.key()));
            }
            assertEquals(damaged.size(), tier.stats().badEntries());
        }
    }

    @Test
    void entriesInManyPartsRoundTripAndAMissingPartIsAMiss() {
        for (LocalRedis server : List.of(standalone, cluster)) {
            ChunkKv a = Chunks.random(Chunks.key(700), BLOCKS, 700);
            try (RedisTier tier = new RedisTier(RedisTarget.parse(server.uri()), 5000, 1000, 8192, 3)) {
                tier.put(a);
                Chunks.assertSameKv(a, tier.get(a.key()));
                ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes() + 1).position(1);
                Chunks.assertSameKv(a, tier.read(a.key(), dst));
                assertEquals(a.payload(), dst.flip().position(1), "read into the caller's buffer, after its position");
                for (LocalRedis.Node n : server.nodes()) {
                    // The parts are read by the tier's own RESP reader, from every master that holds some.
                    try (Jedis c = new Jedis("127.0.0.1", n.port())) {
                        assertTrue(c.clientList().contains("name=npukit-chunk-store-reader"),
                                "a reader connection to " + n.port());
                    }
                }
                assertNull(tier.read(a.key(), ByteBuffer.allocate(a.bytes() - 1)), "no room: a miss");
                int parts = (int) ((ChunkCodec.entryBytes(a) + 8191) / 8192);
                assertTrue(parts > 10, "parts: " + parts);
                try (RedisTier reader = new RedisTier(RedisTarget.parse(server.uri()), 5000, 1000, 1 << 20, 2)) {
                    Chunks.assertSameKv(a, reader.get(a.key()));
                }
                assertEquals(0, tier.stats().errors());
                // Redis evicting one part (here: deleting it) turns the entry into a miss, and its parts are removed.
                deletePart(server, a.key(), parts / 2);
                assertNull(tier.get(a.key()));
                assertEquals(1, tier.stats().badEntries());
                tier.put(a);
                Chunks.assertSameKv(a, tier.get(a.key()));
            }
        }
    }

    @Test
    void partsReadInPiecesSmallerThanAPartRoundTripAndDamageInAnyPieceIsRefused() {
        // Pieces of 4,099 bytes in parts of 10,000: piece and part boundaries fall at every kind of offset into
        // the header, the payload and the trailer as the payload size varies.
        RedisTarget target = RedisTarget.parse(standalone.uri());
        try (RedisTier tier = new RedisTier(target, 5000, 1000, 10_000, 3, 4099);
                RedisClient raw = RedisClient.create("127.0.0.1", standalone.nodes().get(0).port())) {
            for (int blocks : new int[] {1, 3, 17, 64, 333}) {
                ChunkKv a = Chunks.random(Chunks.key(blocks), blocks, blocks);
                tier.put(a);
                ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes());
                Chunks.assertSameKv(a, tier.read(a.key(), dst));
                Chunks.assertSameKv(a, tier.get(a.key()));
                long entry = ChunkCodec.entryBytes(a);
                int parts = (int) ((entry + 9_999) / 10_000);
                // One flipped byte at a piece boundary of the last part, then a part of the wrong size.
                byte[] last = RedisTier.partKey(a.key(), parts - 1);
                byte[] good = raw.get(last);
                int at = Math.min(good.length - 1, 4099);
                byte[] flipped = good.clone();
                flipped[at] ^= 1;
                raw.set(last, flipped);
                long bad = tier.stats().badEntries();
                assertNull(tier.read(a.key(), dst.clear()), blocks + " blocks: byte " + at + " flipped");
                assertEquals(bad + 1, tier.stats().badEntries());
                tier.put(a);
                raw.set(last, Arrays.copyOf(good, good.length + (parts > 1 ? 1 : -1)));
                assertNull(tier.get(a.key()), blocks + " blocks: a part of the wrong size");
                assertEquals(bad + 2, tier.stats().badEntries());
                tier.put(a);
                Chunks.assertSameKv(a, tier.get(a.key()));
            }
            assertEquals(0, tier.stats().errors());
        }
    }

    private static void deletePart(LocalRedis server, ChunkKey key, int part) {
        long deleted = 0;
        for (LocalRedis.Node n : server.nodes()) {
            try (RedisClient c = RedisClient.create("127.0.0.1", n.port())) {
                try {
                    deleted += c.del(RedisTier.partKey(key, part));
                } catch (RuntimeException e) {
                    // A cluster node that does not own the part's slot answers MOVED.
                }
            }
        }
        assertEquals(1, deleted, "part " + part + " deleted");
    }

    @Test
    void fullWriteQueueDropsAndCountsWithoutBlocking() throws Exception {
        try (LocalRedis server = LocalRedis.standalone()) {
            ChunkKv a = Chunks.random(Chunks.key(1), BLOCKS, 1);
            RedisTier redis = new RedisTier(server.uri());
            try (AsyncTier async = new AsyncTier(redis, a.bytes())) {
                long t0 = System.nanoTime();
                for (int s = 0; s < 60; s++) {
                    async.put(Chunks.random(Chunks.key(s), BLOCKS, s));
                }
                assertTrue(async.flush(Duration.ofSeconds(30)));
                TierStats st = async.stats();
                assertTrue(st.dropped() > 0, st.toString());
                assertEquals(60, st.dropped() + st.puts(), st.toString());
                assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(30).toNanos());
            }
        }
    }

    @Test
    void uriWithPasswordAndTlsIsParsed() {
        RedisTarget t = RedisTarget.parse("rediss://kv:p%40ss@10.0.0.1:6380,10.0.0.2:6381");
        assertTrue(t.tls());
        assertEquals("kv", t.user());
        assertEquals("p@ss", t.password());
        assertEquals(2, t.hosts().size());
        assertEquals("rediss://kv:***@10.0.0.1:6380,10.0.0.2:6381", t.toString(), "the password is never shown");
        assertEquals(3, RedisTarget.parse("redis://:secret@localhost:6379/3").database());
        for (String bad : new String[] {"http://x:1", "redis://host", "redis://h:0", "redis://h:x", "redis://a:1,b:2/1"}) {
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> RedisTarget.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("uri: "), e.getMessage());
        }
    }

    @Test
    void passwordProtectedServerIsReachedWithTheUriPassword() throws Exception {
        try (LocalRedis server = LocalRedis.standalone("--requirepass", "s3cret")) {
            int port = server.nodes().get(0).port();
            ChunkKv a = Chunks.random(7);
            try (RedisTier withPassword = new RedisTier("redis://:s3cret@127.0.0.1:" + port);
                    RedisTier without = new RedisTier(RedisTarget.parse("redis://127.0.0.1:" + port), 1000, 0)) {
                withPassword.put(a);
                Chunks.assertSameKv(a, withPassword.get(a.key()));
                assertNull(without.get(a.key()));
                assertTrue(without.stats().errors() > 0);
            }
        }
    }

    @Test
    void aUserAndDatabaseInTheUriAreUsedForEveryReadAndWrite() throws Exception {
        try (LocalRedis server = LocalRedis.standalone("--requirepass", "s3cret")) {
            int port = server.nodes().get(0).port();
            try (Jedis admin = new Jedis("127.0.0.1", port)) {
                admin.auth("s3cret");
                // An ACL user that may not name its connections (CLIENT SETNAME), with a space in its password.
                admin.aclSetUser("reader", "on", ">pw 2", "~*", "+@all", "-client");
                ChunkKv a = Chunks.random(11);
                try (RedisTier tier = new RedisTier("redis://reader:pw%202@127.0.0.1:" + port + "/3")) {
                    tier.put(a);
                    ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes());
                    Chunks.assertSameKv(a, tier.read(a.key(), dst));
                    Chunks.assertSameKv(a, tier.get(a.key()));
                    assertEquals(0, tier.stats().errors(), tier.stats().toString());
                }
                assertFalse(admin.exists(RedisTier.redisKey(a.key())), "not in database 0");
                admin.select(3);
                assertTrue(admin.exists(RedisTier.redisKey(a.key())), "in database 3");
            }
        }
    }

    @Test
    @Timeout(60)
    void aStalledServerIsAMissWithinTheTimeoutAndTheTierRecovers() throws Exception {
        try (LocalRedis server = LocalRedis.standalone(); Warnings w = new Warnings()) {
            ChunkKv a = Chunks.random(Chunks.key(12), BLOCKS, 12);
            try (RedisTier tier = new RedisTier(RedisTarget.parse(server.uri()), 300, 100)) {
                tier.put(a);
                ByteBuffer dst = ByteBuffer.allocateDirect(a.bytes());
                Chunks.assertSameKv(a, tier.read(a.key(), dst));
                server.pause(0);
                try {
                    long t0 = System.nanoTime();
                    assertNull(tier.read(a.key(), dst.clear()));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(ms >= 250 && ms < 3000, "a stalled reply is given up after the 300 ms timeout: " + ms);
                } finally {
                    server.resume(0);
                }
                assertEquals(1, tier.stats().errors(), tier.stats().toString());
                assertEquals(1, w.count(), w.messages.toString());
                Thread.sleep(150);
                Chunks.assertSameKv(a, tier.read(a.key(), dst.clear()));
                assertEquals(1, tier.stats().errors(), tier.stats().toString());
            }
        }
    }

    @Test
    void anErrorReplyIsAnErrorNotABadEntryAndTheNextReadSucceeds() throws Exception {
        ChunkKv a = Chunks.random(Chunks.key(13), 4, 13);
        byte[] key = RedisTier.redisKey(a.key());
        try (RedisTier tier = new RedisTier(RedisTarget.parse(standalone.uri()), 1000, 0);
                RedisClient raw = RedisClient.create("127.0.0.1", standalone.nodes().get(0).port())) {
            raw.rpush(key, new byte[] {1});
            assertNull(tier.read(a.key(), ByteBuffer.allocateDirect(a.bytes())), "a list where part 0 belongs");
            TierStats s = tier.stats();
            assertEquals(1, s.errors(), s.toString());
            assertEquals(0, s.badEntries(), s.toString());
            raw.del(key);
            tier.put(a);
            Chunks.assertSameKv(a, tier.read(a.key(), ByteBuffer.allocateDirect(a.bytes())));
        }
    }

    /** Counts the Redis tier's warnings (System.Logger goes to java.util.logging). */
    private static final class Warnings extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(RedisTier.class.getName());
        final List<String> messages = new ArrayList<>();

        Warnings() {
            logger.addHandler(this);
        }

        synchronized int count() {
            return messages.size();
        }

        @Override
        public synchronized void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                messages.add(r.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
