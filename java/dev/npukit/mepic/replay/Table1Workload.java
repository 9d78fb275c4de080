package dev.npukit.mepic.replay;

import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * RAG workloads shaped like the MEPIC paper's Table 1: each request is {@value #CHUNKS_PER_REQUEST} retrieved
 * document chunks followed by a question. A chunk slot reuses an already-seen chunk with the dataset's reuse
 * probability (popular chunks more often: Zipf over chunks in order of first appearance), else it is a new
 * chunk; chunk lengths are drawn so that the mean prompt matches the dataset's.
 */
public final class Table1Workload {
    /** The four datasets: mean prompt tokens and percent of chunk occurrences that reuse a seen chunk. */
    public enum Dataset {
        /** SQuAD: 2224 tokens, 84.9 % reuse. */
        SQUAD(2224, 84.9),
        /** NewsQA: 1518 tokens, 61.4 % reuse. */
        NEWSQA(1518, 61.4),
        /** NarrativeQA: 1435 tokens, 93.9 % reuse. */
        NARRATIVEQA(1435, 93.9),
        /** emrQA: 1632 tokens, 98.2 % reuse. */
        EMRQA(1632, 98.2);

        /** The paper's mean prompt length, in tokens. */
        public final int meanPromptTokens;
        /** The paper's percent of chunk occurrences that reuse an already-seen chunk, 0..100. */
        public final double reusePercent;

        Dataset(int meanPromptTokens, double reusePercent) {
            this.meanPromptTokens = meanPromptTokens;
            this.reusePercent = reusePercent;
        }
    }

    static final int CHUNKS_PER_REQUEST = 4;
    static final int QUESTION_MIN = 16;
    static final int QUESTION_MAX = 64;

    private Table1Workload() {
    }

    /**
     * Generates the stream, reproducibly from {@code seed}; every request has no arrival time (the replay draws
     * Poisson arrivals). Questions are 16–64 tokens; a new chunk's length is uniform in [m/2, 3m/2], m chosen so the
     * mean prompt matches the dataset's.
     *
     * @param dataset the Table 1 dataset to imitate
     * @param requests the number of requests, &gt; 0
     * @param outputTokens mean decode length in tokens; each request draws uniformly from [mean/2, 3·mean/2]
     * @param zipfS the Zipf exponent of the popularity of reused chunks, &gt;= 0
     * @param seed the random seed; the same arguments give the same stream
     * @return {@code requests} requests of {@value #CHUNKS_PER_REQUEST} chunks and a question each
     * @throws IllegalArgumentException if {@code requests} is not positive or {@code zipfS} is negative or NaN
     * @throws NullPointerException if {@code dataset} is null
     */
    public static List<ReplayRequest> generate(Dataset dataset, int requests, int outputTokens, double zipfS, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double meanQuestion = (QUESTION_MIN + QUESTION_MAX) / 2.0;
        int meanChunk = (int) Math.round((dataset.meanPromptTokens - meanQuestion) / CHUNKS_PER_REQUEST);
        Zipf popularity = new Zipf(requests * CHUNKS_PER_REQUEST, zipfS);
        List<int[]> seen = new ArrayList<>();
        List<ReplayRequest> out = new ArrayList<>(requests);
        for (int i = 0; i < requests; i++) {
            List<Segment> segs = new ArrayList<>();
            Set<Integer> used = new HashSet<>();
            for (int c = 0; c < CHUNKS_PER_REQUEST; c++) {
                int pick = -1;
                if (!seen.isEmpty() && rnd.nextDouble() * 100 < dataset.reusePercent) {
                    for (int attempt = 0; attempt < 50 && pick < 0; attempt++) {
                        int rank = popularity.sample(rnd);
                        if (rank < seen.size() && !used.contains(rank)) {
                            pick = rank;
                        }
                    }
                }
                if (pick < 0) {
                    int length = meanChunk / 2 + rnd.nextInt(meanChunk + 1);
                    seen.add(SyntheticTokens.of(dataset.name() + "/" + seed + "/chunk" + seen.size(), length));
                    pick = seen.size() - 1;
                }
                used.add(pick);
                segs.add(Segment.chunk(seen.get(pick)));
            }
            int q = QUESTION_MIN + rnd.nextInt(QUESTION_MAX - QUESTION_MIN + 1);
            segs.add(Segment.prompt(SyntheticTokens.of(rnd.nextLong(), q)));
            out.add(new ReplayRequest(Double.NaN, new Request(segs, OutputLengths.draw(rnd, outputTokens))));
        }
        return out;
    }
}
