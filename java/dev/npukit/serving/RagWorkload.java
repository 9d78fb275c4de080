package dev.npukit.serving;

import dev.npukit.mepic.Request;
import dev.npukit.mepic.Segment;
import dev.npukit.util.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A RAG-style workload: a corpus of documents (chunks, shared across requests) and requests that
 * each retrieve a few of them (popular documents more often) followed by a user question
 * (a prompt of its own). Token ids are random in [1, vocab); 0 is the pad token.
 */
public final class RagWorkload {
    private RagWorkload() {
    }

    /**
     * Generates the requests, reproducibly from {@code seed}. Each request is {@code chunksPerRequest} distinct
     * documents as chunk segments (low document ids drawn more often) followed by a question as a prompt segment.
     *
     * @param vocab vocabulary size; token ids are drawn from [1, vocab), &gt; 1
     * @param documents corpus size
     * @param docTokens mean document length (each is 0.75x to 1.25x of it)
     * @param requests number of requests
     * @param chunksPerRequest documents retrieved per request (distinct)
     * @param questionTokens question length
     * @param maxNewTokens tokens to generate per request
     * @param seed the random seed; the same arguments give the same requests
     * @return {@code requests} requests, in order
     * @throws IllegalArgumentException if {@code vocab} &lt;= 1, {@code chunksPerRequest} is outside
     *     [1, documents], {@code docTokens} &lt; 4, or {@code questionTokens} or {@code requests} is not positive
     */
    public static List<Request> generate(int vocab, int documents, int docTokens, int requests, int chunksPerRequest,
            int questionTokens, int maxNewTokens, long seed) {
        Check.arg(vocab > 1, "vocab", "is %d, must be > 1", vocab);
        Check.arg(documents >= chunksPerRequest && chunksPerRequest > 0, "chunksPerRequest",
                "is %d, must be in [1, documents %d]", chunksPerRequest, documents);
        Check.arg(docTokens >= 4 && questionTokens > 0 && requests > 0, "docTokens",
                "sizes must be positive (docTokens >= 4)");
        Random r = new Random(seed);
        List<int[]> docs = new ArrayList<>();
        for (int d = 0; d < documents; d++) {
            docs.add(tokens(r, docTokens * 3 / 4 + r.nextInt(docTokens / 2 + 1), vocab));
        }
        List<Request> out = new ArrayList<>();
        for (int q = 0; q < requests; q++) {
            List<Integer> picked = new ArrayList<>();
            while (picked.size() < chunksPerRequest) {
                // Squaring a uniform draw favours low document ids: a few popular documents, a long tail.
                int d = (int) (documents * Math.pow(r.nextDouble(), 2));
                if (!picked.contains(d)) {
                    picked.add(d);
                }
            }
            List<Segment> segs = new ArrayList<>();
            for (int d : picked) {
                segs.add(Segment.chunk(docs.get(d)));
            }
            segs.add(Segment.prompt(tokens(r, questionTokens, vocab)));
            out.add(new Request(segs, maxNewTokens));
        }
        return out;
    }

    private static int[] tokens(Random r, int n, int vocab) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1 + r.nextInt(vocab - 1);
        }
        return t;
    }
}
