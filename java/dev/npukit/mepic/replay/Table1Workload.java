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
        SQUAD(2224, 84.9), NEWSQA(1518, 61.4), NARRATIVEQA(1435, 93.9), EMRQA(1632, 98.2);

        public final int meanPromptTokens;
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
