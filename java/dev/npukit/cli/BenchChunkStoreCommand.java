package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.bench.LocalRedis;
import dev.npukit.mepic.ChunkId;
import dev.npukit.model.LlamaConfig;
import dev.npukit.serving.store.ChunkKey;
import dev.npukit.serving.store.ChunkKv;
import dev.npukit.serving.store.ChunkTier;
import dev.npukit.serving.store.DiskTier;
import dev.npukit.serving.store.MemoryTier;
import dev.npukit.serving.store.RedisTarget;
import dev.npukit.serving.store.RedisTier;
import dev.npukit.tensor.DType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import redis.clients.jedis.RedisClient;

/**
 * {@code npukit bench chunk-store}: put and get throughput of chunk KV through each tier of the chunk store, each
 * beside a probe of its medium measured in the same run, interleaved with it: a copy between direct buffers for
 * memory, a sequential read (get) or write + fsync (put) of a file of the entry's size for disk, and a plain
 * loopback TCP copy between two Java sockets for Redis. GB/s counts payload bytes.
 *
 * <p>The goals (issue #17) are set on the {@code read} rows: a checked read into a reused buffer is how the serving
 * engine loads a stored chunk ({@code StoreChunkView}), so those rows carry {@code goal} and {@code meetsGoal}:
 * remote read at least 0.5 of the loopback probe, disk and memory reads at least 0.7 of theirs. The {@code get} rows
 * (a new heap array per load, the array's allocation and first touch included) are reported for completeness.
 */
@Command(name = "chunk-store", mixinStandardHelpOptions = true,
        description = "Chunk KV store put/get GB/s per tier (memory, disk, redis) beside a probe of the medium.")
final class BenchChunkStoreCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--tier", split = ",", description = "Tiers: memory, disk, redis (default: ${DEFAULT-VALUE}).")
    List<String> tiers = List.of("memory", "disk", "redis");

    @Option(names = "--redis", description = "Redis URI, or 'local' to start a redis-server on a free loopback port "
            + "for the run (default: ${DEFAULT-VALUE}).")
    String redis = "local";

    @Option(names = "--redis-part-kib", description = "Redis tier part size in KiB (default: ${DEFAULT-VALUE}).")
    int redisPartKib = RedisTier.DEFAULT_PART_BYTES >> 10;

    @Option(names = "--redis-connections", description = "Redis tier connections moving parts at once (default: "
            + "${DEFAULT-VALUE}).")
    int redisConnections = RedisTier.DEFAULT_PARALLELISM;

    @Option(names = "--disk-dir", description = "Folder for the disk tier (default: a temporary folder, removed).")
    Path diskDir;

    @Option(names = "--warmup", description = "Untimed runs per case, at least: more while the JIT is still "
            + "compiling (default: ${DEFAULT-VALUE}).")
    int warmup = 2;

    @Option(names = "--runs", description = "Timed runs per case; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs = 7;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    /** Goal of a remote (Redis) read over the loopback probe. */
    private static final double REMOTE_GOAL = 0.5;
    /** Goal of a disk read over the file probe and of a memory read over memcpy. */
    private static final double LOCAL_GOAL = 0.7;

    /** A run of a small chunk repeats its operation up to this many payload bytes, so it is not timer noise. */
    private static final long BYTES_PER_RUN = 16L << 20;

    /** A chunk shape to measure. */
    private record Case(String name, ChunkKey key, int blocks, int kvHeads, int headDim) {
        int bytes() {
            return ChunkKv.payloadBytes(key, blocks, kvHeads, headDim);
        }

        int repeat() {
            return (int) Math.max(1, Math.min(50, BYTES_PER_RUN / bytes()));
        }
    }

    @Override
    public Integer call() throws Exception {
        OptionChecks.notNegative(spec, "--warmup", warmup);
        OptionChecks.positive(spec, "--runs", runs);
        OptionChecks.atLeast(spec, "--redis-part-kib", redisPartKib, 4);
        if (redisConnections < 1 || redisConnections > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--redis-connections: must be in 1..64, got " + redisConnections);
        }
        for (String t : tiers) {
            if (!List.of("memory", "disk", "redis").contains(t)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--tier: must be memory, disk or redis, got " + t);
            }
        }
        if (!redis.equals("local") && !redis.startsWith("redis://") && !redis.startsWith("rediss://")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--redis: must be 'local' or a redis:// or rediss:// URI, got " + redis);
        }
        LlamaConfig demo = LlamaConfig.small();
        ChunkId id = ChunkId.ofPadded(new int[] {1, 2, 3});
        List<Case> cases = List.of(
                // The demo: 160-token documents in 16-token blocks, F32 KV as its engine holds it.
                new Case("demo", new ChunkKey("sha256:bench-demo", DType.F32, 16, 0, demo.numLayers(), id), 10,
                        demo.numKvHeads(), demo.headDim()),
                // Mistral-7B: a 512-token chunk, 32 layers, 8 KV heads of 128, F16: 64 MiB.
                new Case("mistral-7b", new ChunkKey("sha256:bench-mistral-7b", DType.F16, 16, 0, 32, id), 32, 8, 128));
        List<Map<String, Object>> rows = new ArrayList<>();
        boolean tempDisk = diskDir == null;
        Path disk = tempDisk ? Files.createTempDirectory("npukit-bench-chunk-store") : diskDir;
        LocalRedis localRedis = null;
        if (!json) {
            System.out.printf("%s%n%n%-7s %-11s %-4s %9s %12s %7s  %s%n", Machine.describe(), "tier", "case", "op",
                    "GB/s", "probe GB/s", "ratio", "goal (the engine's load path)");
        }
        try {
            for (String tier : tiers) {
                String uri = redis;
                if (tier.equals("redis") && redis.equals("local")) {
                    localRedis = LocalRedis.standalone();
                    uri = localRedis.uri();
                }
                for (Case c : cases) {
                    switch (tier) {
                        case "memory" -> memory(c, rows);
                        case "disk" -> disk(c, disk, rows);
                        default -> redis(c, uri, localRedis != null, rows);
                    }
                }
            }
        } finally {
            if (localRedis != null) {
                localRedis.close();
            }
            if (tempDisk) {
                deleteTree(disk);
            }
        }
        if (json) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("machine", Machine.describe());
            out.put("warmup", warmup);
            out.put("runs", runs);
            out.put("cases", rows);
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
        }
        return 0;
    }

    /**
     * Put: copy out of a "KV cache" buffer into a new chunk and keep it; get: hand out the held chunk and copy it
     * into the destination; read: copy it into the destination ({@link ChunkTier#read}).
     */
    private void memory(Case c, List<Map<String, Object>> rows) {
        ByteBuffer cache = randomDirect(c.bytes());
        ByteBuffer dst = ByteBuffer.allocateDirect(c.bytes());
        MemoryTier tier = new MemoryTier(4L * c.bytes());
        Runnable memcpy = () -> repeat(c, () -> dst.clear().put(cache.duplicate().clear()));
        measure("memory", c, "put", () -> repeat(c, () -> tier.put(ChunkKv.copyOf(c.key(), c.blocks(), c.kvHeads(),
                c.headDim(), cache.duplicate().clear()))), memcpy, rows);
        measure("memory", c, "get", () -> repeat(c, () -> dst.clear().put(tier.get(c.key()).payload())), memcpy, rows);
        measure("memory", c, "read", () -> repeat(c, () -> check(tier.read(c.key(), dst.clear()))), memcpy, rows);
        tier.close();
    }

    /**
     * Put: write, fsync and rename an entry file; get: read and check it into a new chunk; read: into a reused direct
     * buffer (page cache warm, as after a put, for the tier and the probe).
     */
    private void disk(Case c, Path dir, List<Map<String, Object>> rows) throws IOException {
        DiskTier tier = new DiskTier(dir.resolve("tier"), 1L << 40);
        ChunkKv kv = ChunkKv.copyOf(c.key(), c.blocks(), c.kvHeads(), c.headDim(), randomDirect(c.bytes()));
        Path probeFile = dir.resolve("probe.bin");
        ByteBuffer probeData = randomDirect(c.bytes());
        Runnable writeProbe = () -> repeat(c, () -> {
            try (FileChannel ch = FileChannel.open(probeFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = probeData.duplicate().clear();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        measure("disk", c, "put", () -> repeat(c, () -> tier.put(kv)), writeProbe, rows);
        tier.put(kv);
        Path entry = tier.file(c.key());
        ByteBuffer dst = ByteBuffer.allocateDirect(Math.toIntExact(Files.size(entry)));
        Runnable readProbe = () -> repeat(c, () -> {
            try (FileChannel ch = FileChannel.open(entry, StandardOpenOption.READ)) {
                dst.clear();
                while (dst.hasRemaining() && ch.read(dst) >= 0) {
                    // Reads until the whole file is in.
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        measure("disk", c, "get", () -> repeat(c, () -> check(tier.get(c.key()))), readProbe, rows);
        ByteBuffer payload = ByteBuffer.allocateDirect(c.bytes());
        measure("disk", c, "read", () -> repeat(c, () -> check(tier.read(c.key(), payload.clear()))), readProbe, rows);
    }

    /**
     * Put, get and read through Redis (synchronous: the tiered store's background queue is not timed). With a local
     * server, also what the server serves without a client library: the tier's parts fetched by plain RESP GETs
     * over as many sockets into a reused array ({@link RespGet}), the bound on any client's read.
     */
    private void redis(Case c, String uri, boolean local, List<Map<String, Object>> rows) throws IOException {
        ChunkKv kv = ChunkKv.copyOf(c.key(), c.blocks(), c.kvHeads(), c.headDim(), randomDirect(c.bytes()));
        RedisTarget target = RedisTarget.parse(uri);
        try (RedisTier tier = new RedisTier(target, 5000, 1000, redisPartKib << 10, redisConnections);
                LoopbackProbe probe = new LoopbackProbe(c.bytes())) {
            Runnable tcp = () -> repeat(c, probe::copy);
            measure("redis", c, "put", () -> repeat(c, () -> tier.put(kv)), tcp, rows);
            if (tier.stats().errors() > 0) {
                throw new IllegalStateException("Redis " + tier.target() + " failed during the run: " + tier.stats());
            }
            measure("redis", c, "get", () -> repeat(c, () -> check(tier.get(c.key()))), tcp, rows);
            ByteBuffer payload = ByteBuffer.allocateDirect(c.bytes());
            measure("redis", c, "read", () -> repeat(c, () -> check(tier.read(c.key(), payload.clear()))), tcp, rows);
            if (local) {
                try (RespGet resp = new RespGet(target.hosts().get(0), c.key(), redisConnections)) {
                    measure("redis", c, "resp", () -> repeat(c, resp::fetch), tcp, rows);
                }
            }
        }
    }

    private static void check(ChunkKv kv) {
        if (kv == null) {
            throw new IllegalStateException("a get missed during the benchmark");
        }
    }

    private static void repeat(Case c, Runnable op) {
        for (int i = 0; i < c.repeat(); i++) {
            op.run();
        }
    }

    private void measure(String tier, Case c, String op, Runnable body, Runnable probe, List<Map<String, Object>> rows) {
        BenchStats[] s = BenchStats.measureInterleaved(warmup, runs, body, probe);
        double bytes = (double) c.bytes() * c.repeat();
        double gbs = bytes / (s[0].medianMs() * 1e6);
        double probeGbs = bytes / (s[1].medianMs() * 1e6);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("tier", tier);
        row.put("case", c.name());
        row.put("op", op);
        row.put("bytes", c.bytes());
        row.put("gbPerS", Math.round(gbs * 1000) / 1000.0);
        row.put("probeGbPerS", Math.round(probeGbs * 1000) / 1000.0);
        double ratio = Math.round(gbs / probeGbs * 1000) / 1000.0;
        row.put("ratio", ratio);
        // The engine loads chunks with read; the goals are set on those rows.
        Double goal = !op.equals("read") ? null : tier.equals("redis") ? REMOTE_GOAL : LOCAL_GOAL;
        row.put("enginePath", goal != null);
        row.put("goal", goal);
        row.put("meetsGoal", goal == null ? null : ratio >= goal);
        rows.add(row);
        if (!json) {
            System.out.printf("%-7s %-11s %-4s %9.3f %12.3f %7.2f  %s%n", tier, c.name(), op, gbs, probeGbs,
                    gbs / probeGbs,
                    goal == null ? "" : String.format(">= %.2f %s", goal, ratio >= goal ? "met" : "NOT MET"));
        }
    }

    private static ByteBuffer randomDirect(int bytes) {
        ByteBuffer b = ByteBuffer.allocateDirect(bytes);
        SplittableRandom r = new SplittableRandom(bytes);
        while (b.remaining() >= 8) {
            b.putLong(r.nextLong());
        }
        while (b.hasRemaining()) {
            b.put((byte) r.nextInt());
        }
        return b.flip();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        }
    }

    /**
     * A plain loopback TCP copy: a server thread writes {@code bytes} from a direct buffer to a socket channel on
     * 127.0.0.1, this thread reads them into a direct buffer, as a Redis reply of that size travels (one request
     * byte each way; no Nagle delay, as Redis and its clients set). Direct buffers, so the probe is the sockets'
     * copies alone: through arrays, Java streams add a copy per side, and the 64 MiB copy ran at 0.6-4.7 GB/s from
     * one process to the next on the idle VM, against 2.8-4.6 GB/s this way (docs/chunk-store.md, Measured).
     */
    private static final class LoopbackProbe implements AutoCloseable {
        private final ServerSocketChannel server;
        private final SocketChannel client;
        private final ByteBuffer in;
        private final ByteBuffer request = ByteBuffer.allocateDirect(1);

        LoopbackProbe(int bytes) throws IOException {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            ByteBuffer out = randomDirect(bytes);
            in = ByteBuffer.allocateDirect(bytes);
            client = SocketChannel.open(server.getLocalAddress());
            SocketChannel peer = server.accept();
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
            peer.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Thread sender = new Thread(() -> {
                ByteBuffer req = ByteBuffer.allocateDirect(1);
                try (peer) {
                    while (peer.read(req.clear()) >= 0) {
                        ByteBuffer o = out.duplicate().clear();
                        while (o.hasRemaining()) {
                            peer.write(o);
                        }
                    }
                } catch (IOException e) {
                    // The probe was closed.
                }
            }, "loopback-probe");
            sender.setDaemon(true);
            sender.start();
        }

        void copy() {
            try {
                request.clear().put((byte) 1).flip();
                while (request.hasRemaining()) {
                    client.write(request);
                }
                in.clear();
                while (in.hasRemaining()) {
                    if (client.read(in) < 0) {
                        throw new IOException("the probe's sender closed early");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            client.close();
            server.close();
        }
    }

    /**
     * The parts of one stored entry fetched as the tier fetches them, by plain RESP {@code GETRANGE}s of the tier's
     * read pieces ({@link RedisTier#readPieceBytes()}), part i over socket {@code i % connections}, with no client
     * library: each reply read whole, framing included, into a direct buffer of its socket. What the server
     * delivers for the tier's requests: the bound on the tier's read. One part is fetched on the calling thread.
     * The parts are not checked (the tier's get and read are).
     */
    private static final class RespGet implements AutoCloseable {
        private final List<SocketChannel> sockets = new ArrayList<>();
        private final List<ByteBuffer> replies = new ArrayList<>();
        /** Per socket, its requests in order, and the bytes of each one's whole reply ({@code $N CRLF}, N, CRLF). */
        private final List<List<ByteBuffer>> requests = new ArrayList<>();
        private final List<List<Integer>> replyBytes = new ArrayList<>();
        private final ExecutorService pool;

        RespGet(RedisTarget.HostPort server, ChunkKey key, int connections) throws IOException {
            String first = RedisTier.KEY_PREFIX + key.address();
            int part0;
            long total;
            try (RedisClient setup = RedisClient.create(server.host(), server.port())) {
                part0 = Math.toIntExact(setup.strlen(first));
                byte[] head = setup.getrange(first.getBytes(StandardCharsets.US_ASCII), 0, 4095);
                ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
                total = h.getInt(8) + h.getLong(40) + 4;
            }
            int parts = (int) ((total + part0 - 1) / part0);
            int used = Math.min(connections, parts);
            int piece = RedisTier.readPieceBytes();
            for (int c = 0; c < used; c++) {
                requests.add(new ArrayList<>());
                replyBytes.add(new ArrayList<>());
            }
            for (int i = 0; i < parts; i++) {
                String k = i == 0 ? first : first + ":" + i;
                int length = (int) Math.min(part0, total - (long) i * part0);
                for (int from = 0; from < length; from += piece) {
                    int n = Math.min(piece, length - from);
                    String[] args = {"GETRANGE", k, Integer.toString(from), Integer.toString(from + n - 1)};
                    StringBuilder r = new StringBuilder("*" + args.length + "\r\n");
                    for (String a : args) {
                        r.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
                    }
                    requests.get(i % used).add(ByteBuffer.wrap(r.toString().getBytes(StandardCharsets.US_ASCII)));
                    replyBytes.get(i % used).add(("$" + n + "\r\n").length() + n + 2);
                }
            }
            for (int c = 0; c < used; c++) {
                SocketChannel s = SocketChannel.open(new InetSocketAddress(server.host(), server.port()));
                s.setOption(StandardSocketOptions.TCP_NODELAY, true);
                sockets.add(s);
                replies.add(ByteBuffer.allocateDirect(replyBytes.get(c).get(0)));
            }
            pool = used == 1 ? null : Executors.newFixedThreadPool(used, r -> {
                Thread t = new Thread(r, "resp-get");
                t.setDaemon(true);
                return t;
            });
        }

        void fetch() {
            try {
                if (pool == null) {
                    fetchOn(0);
                    return;
                }
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < sockets.size(); c++) {
                    int conn = c;
                    done.add(pool.submit(() -> {
                        fetchOn(conn);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (ExecutionException | InterruptedException e) {
                throw new IllegalStateException("RESP GETRANGE failed", e);
            }
        }

        /** Socket {@code conn}'s requests, one at a time. */
        private void fetchOn(int conn) throws IOException {
            SocketChannel s = sockets.get(conn);
            ByteBuffer reply = replies.get(conn);
            List<ByteBuffer> mine = requests.get(conn);
            for (int i = 0; i < mine.size(); i++) {
                ByteBuffer request = mine.get(i).rewind();
                while (request.hasRemaining()) {
                    s.write(request);
                }
                reply.clear().limit(replyBytes.get(conn).get(i));
                while (reply.hasRemaining()) {
                    if (s.read(reply) < 0) {
                        throw new IOException("the server closed the connection");
                    }
                }
                if (reply.get(0) != '$') {
                    throw new IOException("the server did not answer GETRANGE with a bulk reply");
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (pool != null) {
                pool.shutdownNow();
            }
            for (SocketChannel s : sockets) {
                s.close();
            }
        }
    }
}
