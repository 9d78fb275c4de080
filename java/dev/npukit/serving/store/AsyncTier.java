package dev.npukit.serving.store;

import dev.npukit.util.Check;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * A tier whose puts are written by a background thread, so a slow or unreachable medium never stalls the
 * caller. The queue holds at most {@code queueBytes} payload bytes; a put that does not fit is dropped and counted
 * ({@link TierStats#dropped()}). Gets and {@code contains} go to the tier directly.
 */
public final class AsyncTier implements ChunkTier {
    private final ChunkTier tier;
    private final long queueBytes;
    private final ArrayDeque<ChunkKv> queue = new ArrayDeque<>();
    private final LongAdder dropped = new LongAdder();
    private final Thread writer;
    private long queuedBytes;
    /** Entries taken from the queue and not yet written. */
    private int writing;
    private boolean closed;

    /**
     * Wraps {@code tier} and starts its writer, a daemon thread.
     *
     * @param tier the tier written to; closed with this one
     * @param queueBytes the most payload bytes waiting to be written, &gt; 0
     * @throws IllegalArgumentException if {@code tier} is null or {@code queueBytes} is not positive
     */
    public AsyncTier(ChunkTier tier, long queueBytes) {
        Check.arg(tier != null, "tier", "is null");
        Check.arg(queueBytes > 0, "queueBytes", "is %d, must be positive", queueBytes);
        this.tier = tier;
        this.queueBytes = queueBytes;
        this.writer = new Thread(this::writeLoop, "npukit-chunk-store-" + tier.name() + "-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public String name() {
        return tier.name();
    }

    /**
     * The wrapped tier.
     *
     * @return the tier the writer thread puts into
     */
    public ChunkTier tier() {
        return tier;
    }

    @Override
    public ChunkKv get(ChunkKey key) {
        return tier.get(key);
    }

    @Override
    public ChunkKv read(ChunkKey key, IntFunction<ByteBuffer> dst) {
        return tier.read(key, dst);
    }

    @Override
    public boolean contains(ChunkKey key) {
        return tier.contains(key);
    }

    /**
     * Queues {@code kv} for writing and returns at once; drops and counts it when it does not fit the queue or the
     * tier is closed.
     *
     * @throws IllegalArgumentException if {@code kv} is null
     */
    @Override
    public void put(ChunkKv kv) {
        Check.arg(kv != null, "kv", "is null");
        synchronized (this) {
            if (!closed && queuedBytes + kv.bytes() <= queueBytes) {
                queue.add(kv);
                queuedBytes += kv.bytes();
                notifyAll();
                return;
            }
        }
        dropped.increment();
    }

    /**
     * Waits until every queued put is written (or dropped by the tier).
     *
     * @param timeout the longest wait
     * @return true when the queue is empty and no write is in progress, false when {@code timeout} passed first
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public synchronized boolean flush(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!queue.isEmpty() || writing > 0) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    private void writeLoop() {
        while (true) {
            ChunkKv kv;
            synchronized (this) {
                while (queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (queue.isEmpty()) {
                    return;
                }
                kv = queue.poll();
                queuedBytes -= kv.bytes();
                writing++;
            }
            try {
                tier.put(kv);
            } catch (RuntimeException e) {
                // A tier counts its own faults; anything else must not end the writer.
                dropped.increment();
            } finally {
                synchronized (this) {
                    writing--;
                    notifyAll();
                }
            }
        }
    }

    @Override
    public TierStats stats() {
        TierStats s = tier.stats();
        return new TierStats(s.tier(), s.hits(), s.misses(), s.puts(), s.bytesRead(), s.bytesWritten(),
                s.badEntries(), s.errors(), s.dropped() + dropped.sum(), s.evictions(), s.heldBytes());
    }

    /**
     * Writes what is queued (waiting at most 30 s, then dropping the rest), stops the writer and closes the tier.
     */
    @Override
    public void close() {
        try {
            flush(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            closed = true;
            dropped.add(queue.size());
            queue.clear();
            queuedBytes = 0;
            notifyAll();
        }
        try {
            writer.join(Duration.ofSeconds(30).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tier.close();
    }
}
