package dev.npukit.serving.store;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One plain-TCP connection to a Redis server (standalone or a cluster node) that reads a bulk reply straight into
 * the caller's buffers: the Redis tier's read path. Jedis parses every bulk reply into a new array, after copying it
 * through its own buffer; a 320 KiB chunk then costs three copies and a fresh 320 KiB array per read, and the array
 * lands in never-touched heap while the collector grows the young generation, each page a fault
 * (docs/chunk-store.md, Measured). Here the reply's bytes go from the socket to their place in the payload. Commands
 * are RESP arrays of bulk strings; replies are read with a bound of {@code timeoutMillis} on each wait, as Jedis
 * bounds a reply.
 *
 * <p>Not thread-safe: one caller at a time (the tier keeps idle channels in a pool). A channel whose reply was not
 * read to its end, or that failed, must be closed, never reused.
 */
final class RespChannel implements AutoCloseable {
    /** The longest reply line read: a status, an error message or a length. */
    private static final int MAX_LINE = 4096;

    private final RedisTarget.HostPort node;
    private final SocketChannel channel;
    private final Selector selector;
    private final long timeoutNanos;
    /** Bytes read past a reply line: the start of what follows, handed out before the socket is read again. */
    private final ByteBuffer carry = ByteBuffer.allocateDirect(MAX_LINE).flip();
    private final ByteBuffer out = ByteBuffer.allocateDirect(1024);
    /** The line end that closes a bulk reply, read in the same call as the reply's last bytes. */
    private final ByteBuffer crlf = ByteBuffer.allocateDirect(2);
    private long idleSince = System.nanoTime();

    private RespChannel(RedisTarget.HostPort node, SocketChannel channel, Selector selector, long timeoutNanos) {
        this.node = node;
        this.channel = channel;
        this.selector = selector;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Connects to {@code node} and, as {@code target} says, authenticates and selects the database.
     *
     * @throws IOException if the server cannot be reached in time or refuses the credentials
     */
    static RespChannel open(RedisTarget.HostPort node, RedisTarget target, int timeoutMillis) throws IOException {
        SocketChannel ch = SocketChannel.open();
        Selector sel = null;
        RespChannel c = null;
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.socket().connect(new InetSocketAddress(node.host(), node.port()), timeoutMillis);
            ch.configureBlocking(false);
            sel = Selector.open();
            // Registered for reads once: a wait is then one select call, with no change of interest.
            ch.register(sel, SelectionKey.OP_READ);
            c = new RespChannel(node, ch, sel, timeoutMillis * 1_000_000L);
            int replies = 0;
            if (target.password() != null) {
                if (target.user() != null) {
                    c.send(bytes("AUTH"), bytes(target.user()), bytes(target.password()));
                } else {
                    c.send(bytes("AUTH"), bytes(target.password()));
                }
                replies++;
            }
            if (target.database() != 0) {
                c.send(bytes("SELECT"), bytes(Integer.toString(target.database())));
                replies++;
            }
            // Named for CLIENT LIST, as Jedis names the tier's other connections; a user whose ACL forbids
            // CLIENT gets an error reply here, which does not keep it from reading.
            c.send(bytes("CLIENT"), bytes("SETNAME"), bytes("npukit-chunk-store-reader"));
            for (int i = 0; i < replies; i++) {
                c.expectOk();
            }
            c.line();
            return c;
        } catch (IOException | RuntimeException e) {
            if (sel != null) {
                sel.close();
            }
            ch.close();
            throw e;
        }
    }

    /** The server this channel is connected to. */
    RedisTarget.HostPort node() {
        return node;
    }

    /** Marks the channel idle from now (its pool's age limit counts from here). */
    void idle() {
        idleSince = System.nanoTime();
    }

    /** When the channel last became idle ({@link System#nanoTime()}). */
    long idleSince() {
        return idleSince;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends one command; its reply is read by {@link #bulkLength} or {@link #expectOk}. */
    void send(byte[]... args) throws IOException {
        int bytes = 16;
        for (byte[] a : args) {
            bytes += a.length + 16;
        }
        ByteBuffer b = bytes <= out.capacity() ? out.clear() : ByteBuffer.allocateDirect(bytes);
        b.put((byte) '*').put(ascii(args.length)).put((byte) '\r').put((byte) '\n');
        for (byte[] a : args) {
            b.put((byte) '$').put(ascii(a.length)).put((byte) '\r').put((byte) '\n').put(a).put((byte) '\r')
                    .put((byte) '\n');
        }
        b.flip();
        long deadline = System.nanoTime() + timeoutNanos;
        while (b.hasRemaining()) {
            if (channel.write(b) == 0) {
                await(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    /** Sends {@code GETRANGE key from to}. */
    void sendGetrange(byte[] key, long from, long to) throws IOException {
        send(bytes("GETRANGE"), key, ascii(from), ascii(to));
    }

    private static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads a bulk reply's length line: the number of bytes that follow (read them with {@link #readFully} and
     * {@link #readBulkEnd}), or -1 for a null reply.
     *
     * @throws IOException on an error reply (its message), another reply type, or a failed or timed-out read
     */
    long bulkLength() throws IOException {
        String line = line();
        if (line.startsWith("$")) {
            try {
                long n = Long.parseLong(line.substring(1));
                if (n >= -1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Reported below.
            }
        }
        throw unexpected(line);
    }

    /** Reads a {@code +OK} status reply. */
    void expectOk() throws IOException {
        String line = line();
        if (!line.equals("+OK")) {
            throw unexpected(line);
        }
    }

    private static IOException unexpected(String line) {
        String shown = line.length() > 200 ? line.substring(0, 200) + "..." : line;
        return new IOException(line.startsWith("-") ? "Redis replied " + shown.substring(1)
                : "unexpected Redis reply: " + shown);
    }

    /**
     * Fills each of {@code dsts} from its position to its limit with the next bytes of the reply, in order.
     *
     * @throws IOException if the connection ends or a wait times out first
     */
    void readFully(ByteBuffer... dsts) throws IOException {
        long want = 0;
        for (ByteBuffer d : dsts) {
            while (carry.hasRemaining() && d.hasRemaining()) {
                int n = Math.min(carry.remaining(), d.remaining());
                d.put(d.position(), carry, carry.position(), n).position(d.position() + n);
                carry.position(carry.position() + n);
            }
            want += d.remaining();
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (want > 0) {
            long n = channel.read(dsts);
            if (n < 0) {
                throw new EOFException("Redis closed the connection in a reply");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadline);
            } else {
                want -= n;
                deadline = System.nanoTime() + timeoutNanos;
            }
        }
    }

    /**
     * Fills {@code dsts} as {@link #readFully} does with the last bytes of a bulk reply, and reads the line end that
     * closes it in the same scatter read.
     *
     * @throws IOException if the connection ends, a wait times out, or the reply does not end with CRLF there
     */
    void readBulkEnd(ByteBuffer... dsts) throws IOException {
        ByteBuffer[] all = Arrays.copyOf(dsts, dsts.length + 1);
        all[dsts.length] = crlf.clear();
        readFully(all);
        if (crlf.get(0) != '\r' || crlf.get(1) != '\n') {
            throw new IOException("a Redis bulk reply does not end with CRLF");
        }
    }

    /** The next reply line without its CRLF; bytes read past it stay in {@link #carry}. */
    private String line() throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            for (int i = carry.position(); i + 1 < carry.limit(); i++) {
                if (carry.get(i) == '\r' && carry.get(i + 1) == '\n') {
                    byte[] text = new byte[i - carry.position()];
                    carry.get(text);
                    carry.position(i + 2);
                    return new String(text, StandardCharsets.UTF_8);
                }
            }
            if (carry.remaining() == carry.capacity()) {
                throw new IOException("a Redis reply line is longer than " + MAX_LINE + " bytes");
            }
            carry.compact();
            int n = channel.read(carry);
            carry.flip();
            if (n < 0) {
                throw new EOFException("Redis closed the connection");
            }
            if (n == 0) {
                await(SelectionKey.OP_READ, deadline);
            }
        }
    }

    private void await(int op, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new SocketTimeoutException("no Redis reply within " + timeoutNanos / 1_000_000 + " ms");
        }
        SelectionKey key = channel.keyFor(selector);
        if (op != SelectionKey.OP_READ) {
            key.interestOps(op);
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
        if (op != SelectionKey.OP_READ) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException e) {
            // Closing: nothing to recover.
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Closing: nothing to recover.
        }
    }
}
