package dev.npukit.cold;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Contrastive LoRA decoding (CoLD, docs/cold.md): every step, each live request contributes its
 * expert row (its adapter) and its base row (adapter -1) to one batch, the model returns the
 * interleaved [2n, V] logits, and one contrastive-scoring call (docs/kernels.md, contrastive scoring) on the configured
 * backend picks every request's next token, which is appended to both of its sequences.
 * Requests stop on an EOS token (kept in the output) or at their token limit; the others go on.
 *
 * <pre>{@code
 * ContrastiveDecoder decoder = new ContrastiveDecoder(Backends.best(), model,
 *         ColdConfig.builder().eosTokens(2).maxNewTokens(128).build());
 * List<Generation> out = decoder.generate(List.of(DecodeRequest.of(prompt, adapter)));
 * }</pre>
 *
 * <p>Greedy decoding is deterministic; so is sampling: the seed of request i at step t is derived
 * from (config seed, i, t), and the kernel's noise from (that seed, batch row, token). Not
 * thread-safe: use one decoder per thread (the model decides whether it can be shared).
 */
public final class ContrastiveDecoder {
    private final Backend backend;
    private final LogitsModel model;
    private final ColdConfig config;
    private final AtomicLong nextSequenceId = new AtomicLong();

    /**
     * A decoder.
     *
     * @param backend the backend that runs the contrastive scoring; the model's logits must live on it
     * @param model the expert and base model
     * @param config alpha, beta, sampling and default limits
     * @throws IllegalArgumentException if an argument is null
     */
    public ContrastiveDecoder(Backend backend, LogitsModel model, ColdConfig config) {
        if (backend == null) {
            throw new IllegalArgumentException("backend: is null");
        }
        if (model == null) {
            throw new IllegalArgumentException("model: is null");
        }
        if (config == null) {
            throw new IllegalArgumentException("config: is null");
        }
        this.backend = backend;
        this.model = model;
        this.config = config;
    }

    /**
     * The decoder's settings.
     *
     * @return the configuration given at construction
     */
    public ColdConfig config() {
        return config;
    }

    /** Per-request state: both sequences, the tokens so far, and when to stop. */
    private static final class Live {
        final int index;
        final long expertSeq;
        final long baseSeq;
        final int adapter;
        final int maxNewTokens;
        final Set<Integer> eos;
        final List<Integer> generated = new ArrayList<>();
        int[] pending; // tokens both sequences receive next: the prompt, then the last token
        Generation.Stop stop;

        Live(int index, long expertSeq, long baseSeq, DecodeRequest r, ColdConfig c) {
            this.index = index;
            this.expertSeq = expertSeq;
            this.baseSeq = baseSeq;
            this.adapter = r.adapter();
            this.maxNewTokens = r.maxNewTokens() > 0 ? r.maxNewTokens() : c.maxNewTokens();
            this.eos = r.eosTokens() != null ? r.eosTokens() : c.eosTokens();
            this.pending = r.prompt();
        }
    }

    /**
     * Decodes every request to its end, all in one batch per step; the model's sequences are released as each
     * request ends, and on an exception.
     *
     * @param requests the requests; may be empty
     * @return one generation per request, in request order
     * @throws IllegalArgumentException if {@code requests} or an entry is null, a prompt token is outside
     *     {@code [0, vocabSize)}, or the model's logits contain NaN
     * @throws IllegalStateException if the model returns null logits, or logits of another shape than
     *     [2 × live requests, vocabSize]
     */
    public List<Generation> generate(List<DecodeRequest> requests) {
        if (requests == null) {
            throw new IllegalArgumentException("requests: is null");
        }
        List<Live> all = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            DecodeRequest r = requests.get(i);
            if (r == null) {
                throw new IllegalArgumentException("requests: entry " + i + " is null");
            }
            checkPrompt(i, r.prompt());
            all.add(new Live(i, nextSequenceId.getAndIncrement(), nextSequenceId.getAndIncrement(), r, config));
        }
        List<Live> live = new ArrayList<>(all);
        try {
            for (int step = 0; !live.isEmpty(); step++) {
                step(live, step);
                for (Live l : live) {
                    if (l.stop != null) {
                        model.release(l.expertSeq);
                        model.release(l.baseSeq);
                    }
                }
                live.removeIf(l -> l.stop != null);
            }
        } finally {
            for (Live l : live) {
                model.release(l.expertSeq);
                model.release(l.baseSeq);
            }
        }
        List<Generation> out = new ArrayList<>();
        for (Live l : all) {
            out.add(new Generation(l.generated.stream().mapToInt(Integer::intValue).toArray(), l.stop));
        }
        return out;
    }

    private void checkPrompt(int request, int[] prompt) {
        int vocab = model.vocabSize();
        for (int t = 0; t < prompt.length; t++) {
            if (prompt[t] < 0 || prompt[t] >= vocab) {
                throw new IllegalArgumentException("requests: entry " + request + " has prompt token " + prompt[t]
                        + " at position " + t + ", outside the model's vocabulary [0, " + vocab + ")");
            }
        }
    }

    private void step(List<Live> live, int step) {
        int n = live.size();
        List<LogitsModel.Row> rows = new ArrayList<>(2 * n);
        for (Live l : live) {
            rows.add(new LogitsModel.Row(l.expertSeq, l.adapter, l.pending));
            rows.add(new LogitsModel.Row(l.baseSeq, -1, l.pending));
        }
        int[] chosen;
        try (Tensor logits = model.logits(rows);
                Tensor token = backend.allocate(DType.I32, n);
                Tensor score = backend.allocate(DType.F32, n);
                Tensor validCount = backend.allocate(DType.I32, n)) {
            checkLogits(logits, 2L * n);
            ContrastiveArgs.Builder args = ContrastiveArgs.builder().interleaved(logits)
                    .alpha(config.alpha()).beta(config.beta()).outputs(token, score, validCount);
            if (config.sampling()) {
                long[] seeds = new long[n];
                for (int b = 0; b < n; b++) {
                    seeds[b] = stepSeed(config.seed(), live.get(b).index, step);
                }
                args.sample(config.temperature(), seeds);
            }
            backend.contrastive(args.build());
            chosen = token.toIntArray();
        }
        for (int b = 0; b < n; b++) {
            Live l = live.get(b);
            l.generated.add(chosen[b]);
            l.pending = new int[] {chosen[b]};
            if (l.eos.contains(chosen[b])) {
                l.stop = Generation.Stop.EOS;
            } else if (l.generated.size() >= l.maxNewTokens) {
                l.stop = Generation.Stop.MAX_TOKENS;
            }
        }
    }

    private void checkLogits(Tensor logits, long rows) {
        if (logits == null) {
            throw new IllegalStateException("model returned null logits");
        }
        if (logits.rank() != 2 || logits.dim(0) != rows || logits.dim(1) != model.vocabSize()) {
            throw new IllegalStateException("model returned logits of shape " + Arrays.toString(logits.shape())
                    + ", expected [" + rows + ", " + model.vocabSize() + "]");
        }
    }

    /** Seed of request {@code index} at {@code step}: two rounds of the splitmix64 finalizer. */
    static long stepSeed(long seed, int index, int step) {
        return mix64(mix64(seed ^ mix64(index + 0x9E3779B97F4A7C15L)) + step);
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
