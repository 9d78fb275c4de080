package dev.npukit.mepic.replay;

import dev.npukit.mepic.Admission;
import dev.npukit.mepic.CacheManager;
import dev.npukit.mepic.CacheStats;
import dev.npukit.mepic.Plan;
import dev.npukit.mepic.Policy;
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
 * queue until the manager admits them; an admitted request prefills for {@code computedTokens × prefill cost},
 * is published, then decodes one token per {@code decode cost}, growing its block table at block boundaries,
 * and is released after its last token. Compute is not shared between requests (no batching slowdown), so
 * every policy sees the same arrival stream and the differences in blocks come from what each policy shares
 * and how long it holds it; the only queueing is for memory.
 */
public final class Replay {
    private enum Kind { ARRIVAL, PREFILL_DONE, DECODE }

    private record Event(double time, long seq, Kind kind, int request) {
    }

    private final ReplayConfig config;
    private final List<ReplayRequest> requests;
    private final double[] arrivals;

    /** Fixes the arrival times: given ones are kept, missing ones follow a Poisson process at the configured QPS. */
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

    /** Replays the stream under {@code policy} with a fresh manager; {@code progress} gets completed-request counts. */
    public ReplayResult run(Policy policy, IntConsumer progress) {
        return new Run(policy, progress).execute();
    }

    private final class Run {
        private final Policy policy;
        private final IntConsumer progress;
        private final CacheManager manager;
        private final PriorityQueue<Event> events = new PriorityQueue<>((a, b) ->
                a.time != b.time ? Double.compare(a.time, b.time) : Long.compare(a.seq, b.seq));
        private final ArrayDeque<Integer> waiting = new ArrayDeque<>();
        private final Plan[] plans;
        private final int[] remaining;
        private final int[] pending;
        private final boolean[] wasQueued;
        private final List<Double> latencies = new ArrayList<>();
        private final List<double[]> series = new ArrayList<>();
        private long seq;
        private int peak;
        private int peakResident;
        private double area;
        private double lastTime = Double.NaN;
        private int lastInUse;
        private long computed;
        private long prompt;
        private int queued;
        private int rejected;

        Run(Policy policy, IntConsumer progress) {
            this.policy = policy;
            this.progress = progress;
            this.manager = new CacheManager(policy, config.hbmBlocks(), config.blockSize());
            this.plans = new Plan[requests.size()];
            this.remaining = new int[requests.size()];
            this.pending = new int[requests.size()];
            this.wasQueued = new boolean[requests.size()];
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
                    case PREFILL_DONE -> {
                        manager.publish(plans[e.request]);
                        decodeUntilNextBlock(e.request, e.time);
                    }
                    case DECODE -> decodeUntilNextBlock(e.request, e.time);
                }
                sample(e.time);
            }
            if (!waiting.isEmpty()) {
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
            return new ReplayResult(policy, peak, span > 0 ? area / span : lastInUse, peakResident, computed, prompt,
                    queued, rejected, latencies.size(), latencies.stream().mapToDouble(Double::doubleValue).toArray(),
                    times, blocks);
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
                    prompt += ok.plan().promptLength();
                    push(now + ok.plan().computedTokens() * config.prefillSecondsPerToken(), Kind.PREFILL_DONE, i);
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
