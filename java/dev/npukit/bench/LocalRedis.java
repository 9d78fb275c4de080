package dev.npukit.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Redis servers of this machine's {@code redis-server} on loopback ports, for the chunk store's tests and
 * benchmark: one standalone server, or a Redis Cluster of several masters (created with
 * {@code redis-cli --cluster create}). Each server listens on 127.0.0.1 only, persists nothing, and lives in a
 * temporary folder removed by {@link #close()} (or at JVM exit).
 */
public final class LocalRedis implements AutoCloseable {
    private static final String INSTALL_HINT = "; run scripts/install-redis.sh (installs Debian's redis-server)";
    private final Path dir;
    private final List<Node> nodes = new ArrayList<>();
    private final Thread cleanup = new Thread(this::stopAll, "local-redis-cleanup");

    /** One server. */
    public static final class Node {
        private final int port;
        private final Path dir;
        private final List<String> extraArgs;
        private Process process;

        Node(int port, Path dir, List<String> extraArgs) {
            this.port = port;
            this.dir = dir;
            this.extraArgs = extraArgs;
        }

        public int port() {
            return port;
        }

        /** Whether the server process is running. */
        public boolean isAlive() {
            return process != null && process.isAlive();
        }
    }

    private LocalRedis(Path dir) {
        this.dir = dir;
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * A standalone server on a free loopback port, with redis-server's {@code extraArgs} (e.g.
     * {@code --requirepass PW}); IllegalStateException when redis-server is missing.
     */
    public static LocalRedis standalone(String... extraArgs) throws IOException, InterruptedException {
        LocalRedis r = new LocalRedis(Files.createTempDirectory("npukit-redis"));
        try {
            r.startNode(List.of(extraArgs));
            return r;
        } catch (IOException | InterruptedException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    /** A cluster of {@code masters} masters (no replicas) on free loopback ports, all 16384 slots assigned. */
    public static LocalRedis cluster(int masters) throws IOException, InterruptedException {
        LocalRedis r = new LocalRedis(Files.createTempDirectory("npukit-redis-cluster"));
        try {
            for (int i = 0; i < masters; i++) {
                r.startNode(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "2000"));
            }
            List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            for (Node n : r.nodes) {
                cmd.add("127.0.0.1:" + n.port);
            }
            cmd.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            r.run(cmd, "redis-cli --cluster create");
            for (Node n : r.nodes) {
                r.awaitClusterOk(n);
            }
            return r;
        } catch (IOException | InterruptedException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The Redis URI of every node: {@code redis://127.0.0.1:P1[,127.0.0.1:P2...]}. */
    public String uri() {
        StringBuilder s = new StringBuilder("redis://");
        for (int i = 0; i < nodes.size(); i++) {
            s.append(i == 0 ? "" : ",").append("127.0.0.1:").append(nodes.get(i).port);
        }
        return s.toString();
    }

    /** Kills node {@code i} at once (SIGKILL), as a crash would. */
    public void kill(int i) throws InterruptedException {
        Node n = nodes.get(i);
        n.process.destroyForcibly();
        n.process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Stops node {@code i} without ending it (SIGSTOP): it keeps its connections and answers nothing. */
    public void pause(int i) throws IOException, InterruptedException {
        signal(i, "-STOP");
    }

    /** Lets node {@code i} go on after {@link #pause} (SIGCONT). */
    public void resume(int i) throws IOException, InterruptedException {
        signal(i, "-CONT");
    }

    private void signal(int i, String signal) throws IOException, InterruptedException {
        run(List.of("kill", signal, Long.toString(nodes.get(i).process.pid())), "kill " + signal);
    }

    /** Starts node {@code i} again on its port (after {@link #kill}); it starts empty unless it is a cluster node. */
    public void restart(int i) throws IOException, InterruptedException {
        Node n = nodes.get(i);
        launch(n);
    }

    private void startNode(List<String> extraArgs) throws IOException, InterruptedException {
        Node n = new Node(freePort(), Files.createDirectories(dir.resolve("node" + nodes.size())), extraArgs);
        nodes.add(n);
        launch(n);
    }

    private void launch(Node n) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(n.port), "--bind",
                "127.0.0.1", "--protected-mode", "yes", "--save", "", "--appendonly", "no", "--dir",
                n.dir.toString(), "--logfile", n.dir.resolve("redis.log").toString(), "--daemonize", "no"));
        cmd.addAll(n.extraArgs);
        try {
            n.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(n.dir.resolve("stdout.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server (" + e.getMessage() + ")" + INSTALL_HINT, e);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (!n.process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + n.port + " exited: "
                        + tail(n.dir.resolve("redis.log")) + tail(n.dir.resolve("stdout.log")));
            }
            String reply = command(n.port, "PING");
            if (reply.startsWith("+PONG") || reply.startsWith("-NOAUTH")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("redis-server on port " + n.port + " did not answer within 20 s");
    }

    private void awaitClusterOk(Node n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            if (command(n.port, "CLUSTER INFO").contains("cluster_state:ok")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("cluster node " + n.port + " did not reach cluster_state:ok within 20 s");
    }

    /** One inline command's reply, or "" when the server does not answer. */
    private static String command(int port, String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return "";
        }
    }

    private void run(List<String> cmd, String what) throws IOException, InterruptedException {
        Path log = dir.resolve(what.replace(' ', '-') + ".log");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + " (" + e.getMessage() + ")" + INSTALL_HINT, e);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(what + " did not finish within 60 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(what + " failed (exit " + p.exitValue() + "): " + tail(log));
        }
    }

    /** A loopback port that is free, and whose cluster bus port (+10000) is free too. */
    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20000, 50000);
            if (bindable(port) && bindable(port + 10000)) {
                return port;
            }
        }
        throw new IOException("no free loopback port pair found");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private synchronized void stopAll() {
        for (Node n : nodes) {
            if (n.process != null && n.process.isAlive()) {
                n.process.destroyForcibly();
                try {
                    n.process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // A temporary folder; the OS cleans it.
        }
    }

    /** Stops every server and removes their folder. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // The JVM is already exiting: the hook runs anyway.
        }
    }
}
