package dev.npukit.mepic.replay;

import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The paper's long-prompt sweep: each request holds K distinct chunks drawn from a fixed corpus by Zipf
 * popularity, in the order drawn (so a chunk's position varies), followed by a question.
 */
public final class LongPromptWorkload {
    static final int QUESTION_MIN = 32;
    static final int QUESTION_MAX = 96;

    private LongPromptWorkload() {
    }

    /**
     * Generates the stream, reproducibly from {@code seed}; every request has no arrival time (the replay draws
     * Poisson arrivals).
     *
     * @param chunksPerRequest K, distinct chunks per request, in [1, corpusChunks]
     * @param corpusChunks the corpus size in chunks
     * @param chunkTokens tokens per chunk, &gt; 0
     * @param requests the number of requests, &gt;= 0
     * @param outputTokens mean decode length in tokens; each request draws uniformly from [mean/2, 3·mean/2]
     * @param zipfS the Zipf exponent of chunk popularity, &gt;= 0 (0 is uniform)
     * @param seed the random seed; the same arguments give the same stream
     * @return {@code requests} requests of K chunks and a 32–96-token question each
     * @throws IllegalArgumentException if {@code chunksPerRequest} is outside [1, corpusChunks], {@code chunkTokens}
     *     is not positive, {@code requests} is negative or {@code zipfS} is negative or NaN
     */
    public static List<ReplayRequest> generate(int chunksPerRequest, int corpusChunks, int chunkTokens, int requests,
            int outputTokens, double zipfS, long seed) {
        if (chunksPerRequest <= 0 || chunksPerRequest > corpusChunks) {
            throw new IllegalArgumentException("chunks: must be in [1, corpus size " + corpusChunks + "], got " + chunksPerRequest);
        }
        if (chunkTokens <= 0) {
            throw new IllegalArgumentException("chunkTokens: must be > 0, got " + chunkTokens);
        }
        int[][] corpus = new int[corpusChunks][];
        for (int i = 0; i < corpusChunks; i++) {
            corpus[i] = SyntheticTokens.of("corpus/" + seed + "/" + i, chunkTokens);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        Zipf popularity = new Zipf(corpusChunks, zipfS);
        List<ReplayRequest> out = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            List<Segment> segs = new ArrayList<>();
            Set<Integer> used = new HashSet<>();
            while (used.size() < chunksPerRequest) {
                int c = popularity.sample(rnd);
                if (used.add(c)) {
                    segs.add(Segment.chunk(corpus[c]));
                }
            }
            int q = QUESTION_MIN + rnd.nextInt(QUESTION_MAX - QUESTION_MIN + 1);
            segs.add(Segment.prompt(SyntheticTokens.of(rnd.nextLong(), q)));
            out.add(new ReplayRequest(Double.NaN, new Request(segs, OutputLengths.draw(rnd, outputTokens))));
        }
        return out;
    }
}
