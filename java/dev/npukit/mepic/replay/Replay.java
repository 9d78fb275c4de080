package dev.npukit.mepic.replay;

import dev.npukit.mepic.Admission;
import dev.npukit.mepic.CacheManager;
import dev.npukit.mepic.CacheStats;
import dev.npukit.mepic.Plan;
import dev.npukit.mepic.Policy;
import dev.npukit.mepic.SharedKvState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.IntConsumer;

/**
 * A discrete-event replay that drives a real {@link CacheManager}: time is simulated, the cache is not.
 *
 * <p>The engine model is deliberately the simplest that exposes memory behaviour: requests wait in one FIFO
 * queue until the manager admits them; an admitted request first copies its load ranges from the chunk store
 * ({@code loadedTokens × load cost}, then {@link CacheManager#markLoaded}), then, once every shared chunk block
 * it reads holds its KV (another request may still be loading it), prefills for {@code computedTokens × prefill
 * cost}, is published, then decodes one token per {@code decode cost}, growing its block table at block
 * boundaries, and is released after its last token. Every policy gets a fresh chunk store in the same starting
 * state ({@link ReplayConfig#store()}). Compute is not shared between requests (no batching slowdown), so
 * every policy sees the same arrival stream and the differences in blocks come from what each policy shares
 * and how long it holds it; the only queueing is for memory.
 */
public final class Replay {
    private enum Kind { ARRIVAL, LOAD_DONE, PREFILL_DONE, DECODE }

    private record Event(double time, long seq, Kind kind, int request) {
    }

    private final ReplayConfig config;
    private final List<ReplayRequest> requests;
    private final double[] arrivals;

    /**
     * Fixes the arrival times: given ones are kept, missing ones follow a Poisson process at the configured QPS,
     * seeded by {@link ReplayConfig#seed()} and continuing from the latest earlier arrival.
     *
     * @param config the pool, costs, QPS, seed and chunk store state
     * @param requests the stream in arrival order
     * @throws IllegalArgumentException if {@code requests} is null or empty
     * @throws NullPointerException if {@code config} is null
     */
    public Replay(ReplayConfig config, List<ReplayRequest> requests) {
        if (requests == null || requests.isEmpty()) {
            throw new IllegalArgumentException("requests: needs at least one request");
        }
        this.config = config;
        this.requests = List.copyOf(requests);
        this.arrivals = new double[requests.size()];
        Random rnd = new Random(config.seed());
        double t = 0;
        for (int i = 0; i < arrivals.length; i++) {
            double given = requests.get(i).arrivalS();
            if (Double.isNaN(given)) {
                t += -Math.log(1 - rnd.nextDouble()) / config.qps();
                arrivals[i] = t;
            } else {
                arrivals[i] = given;
                t = Math.max(t, given);
            }
        }
    }

    /**
     * Replays the stream under {@code policy} with a fresh manager and a fresh chunk store; the same replay can be
     * run under several policies.
     *
     * @param policy the cache policy
     * @param progress called with the number of requests finished (completed or rejected) so far, after each one;
     *     not null
     * @return blocks, tokens, queueing and latencies of the run
     * @throws IllegalArgumentException if {@code policy} is null
     */
    public ReplayResult run(Policy policy, IntConsumer progress) {
        return new Run(policy, progress).execute();
    }

    private final class Run {
        private final Policy policy;
        private final IntConsumer progress;
        private final CacheManager manager;
        private final TierModel tiers = new TierModel(config.tiers());
        private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
                a.time != b.time ? Double.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
        private final ArrayDeque<Integer> waiting = new ArrayDeque<>();
        private final Plan[] plans;
        private final int[] remaining;
        private final int[] pending;
        private final boolean[] wasQueued;
        /** Admitted requests whose prefill waits for their own loads or for loads of chunks they share. */
        private final List<Integer> awaitingKv = new ArrayList<>();
        private final boolean[] loadsDone;
        private final List<Double> latencies = new ArrayList<>();
        private final List<double[]> series = new ArrayList<>();
        private long seq;
        private int peak;
        private int peakResident;
        private double area;
        private double lastTime = Double.NaN;
        private int lastInUse;
        private long computed;
        private long loaded;
        private long prompt;
        private int queued;
        private int rejected;

        Run(Policy policy, IntConsumer progress) {
            this.policy = policy;
            this.progress = progress;
            this.manager = new CacheManager(policy, config.hbmBlocks(), config.blockSize(), CacheManager.DEFAULT_PAD_TOKEN,
                    config.store().create());
            this.plans = new Plan[requests.size()];
            this.remaining = new int[requests.size()];
            this.pending = new int[requests.size()];
            this.wasQueued = new boolean[requests.size()];
            this.loadsDone = new boolean[requests.size()];
        }

        ReplayResult execute() {
            for (int i = 0; i < arrivals.length; i++) {
                push(arrivals[i], Kind.ARRIVAL, i);
            }
            double firstTime = Double.NaN;
            while (!events.isEmpty()) {
                Event e = events.poll();
                if (Double.isNaN(firstTime)) {
                    firstTime = e.time;
                }
                switch (e.kind) {
                    case ARRIVAL -> {
                        waiting.add(e.request);
                        admitWaiting(e.time);
                    }
                    case LOAD_DONE -> {
                        manager.markLoaded(plans[e.request]);
                        loadsDone[e.request] = true;
                        startReadyPrefills(e.time);
                    }
                    case PREFILL_DONE -> {
                        manager.publish(plans[e.request]);
                        if (policy.reusesChunks()) {
                            tiers.publish(plans[e.request]);
                        }
                        decodeUntilNextBlock(e.request, e.time);
                    }
                    case DECODE -> decodeUntilNextBlock(e.request, e.time);
                }
                sample(e.time);
            }
            if (!waiting.isEmpty() || !awaitingKv.isEmpty()) {
                throw new IllegalStateException("replay ended with " + waiting.size() + " requests waiting");
            }
            manager.checkInvariants();
            double span = lastTime - firstTime;
            double[] times = new double[series.size()];
            int[] blocks = new int[series.size()];
            for (int i = 0; i < times.length; i++) {
                times[i] = series.get(i)[0];
                blocks[i] = (int) series.get(i)[1];
            }
            return new ReplayResult(policy, peak, span > 0 ? area / span : lastInUse, peakResident, computed, loaded, prompt,
                    queued, rejected, latencies.size(), latencies.stream().mapToDouble(Double::doubleValue).toArray(),
                    times, blocks, tiers.loadedTokens());
        }

        /** Admits from the head of the queue while the manager accepts; FIFO, so a waiting head blocks the rest. */
        private void admitWaiting(double now) {
            while (!waiting.isEmpty()) {
                int i = waiting.peek();
                Admission a = manager.admit(requests.get(i).request());
                if (a instanceof Admission.Admitted ok) {
                    waiting.poll();
                    plans[i] = ok.plan();
                    remaining[i] = requests.get(i).request().maxNewTokens();
                    computed += ok.plan().computedTokens();
                    loaded += ok.plan().loadedTokens();
                    prompt += ok.plan().promptLength();
                    if (ok.plan().loadedTokens() > 0) {
                        push(now + tiers.load(ok.plan()), Kind.LOAD_DONE, i);
                    } else {
                        loadsDone[i] = true;
                    }
                    awaitingKv.add(i);
                    startReadyPrefills(now);
                } else if (a instanceof Admission.Rejected) {
                    waiting.poll();
                    rejected++;
                    progress.accept(latencies.size() + rejected);
                } else {
                    if (!wasQueued[i]) {
                        wasQueued[i] = true;
                        queued++;
                    }
                    return;
                }
            }
        }

        /** Starts the compute part of every prefill whose own loads are done and whose shared KV is ready. */
        private void startReadyPrefills(double now) {
            for (int k = 0; k < awaitingKv.size(); k++) {
                int i = awaitingKv.get(k);
                if (!loadsDone[i]) {
                    continue;
                }
                SharedKvState state = manager.sharedKvState(plans[i]);
                if (state == SharedKvState.LOST) {
                    throw new IllegalStateException("a loader was released before its loads finished");
                }
                if (state == SharedKvState.READY) {
                    awaitingKv.remove(k--);
                    push(now + plans[i].computedTokens() * config.prefillSecondsPerToken(), Kind.PREFILL_DONE, i);
                }
            }
        }

        /**
         * Adds the tokens decoded since the last event, then schedules the next event at the token that will
         * need a new block (or at the last token). Block use only changes at those tokens, so per-token events
         * would add nothing but time.
         */
        private void decodeUntilNextBlock(int i, double now) {
            Plan plan = plans[i];
            if (pending[i] > 0 && !manager.grow(plan, pending[i])) {
                throw new IllegalStateException("decode growth failed despite the admission reservation");
            }
            remaining[i] -= pending[i];
            pending[i] = 0;
            if (remaining[i] == 0) {
                manager.release(plan);
                plans[i] = null;
                latencies.add(now - arrivals[i]);
                progress.accept(latencies.size() + rejected);
                admitWaiting(now);
                return;
            }
            int room = plan.numBlocks() * config.blockSize() - plan.length();
            pending[i] = Math.min(remaining[i], room + 1);
            push(now + pending[i] * config.decodeSecondsPerToken(), Kind.DECODE, i);
        }

        private void push(double time, Kind kind, int request) {
            events.add(new Event(time, seq++, kind, request));
        }

        private void sample(double time) {
            CacheStats st = manager.stats();
            if (!Double.isNaN(lastTime)) {
                area += lastInUse * (time - lastTime);
            }
            lastTime = time;
            lastInUse = st.inUseBlocks();
            peak = Math.max(peak, st.inUseBlocks());
            peakResident = Math.max(peakResident, st.residentBlocks());
            series.add(new double[] {time, st.inUseBlocks()});
        }
    }
}
