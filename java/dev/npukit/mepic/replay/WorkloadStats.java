package dev.npukit.mepic.replay;

import dev.npukit.mepic.Segment;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The measured shape of a request stream, to compare with the paper's Table 1.
 *
 * @param requests          number of requests
 * @param meanPromptTokens  mean real (unpadded) prompt tokens per request
 * @param reusePercent      percent of chunk occurrences whose chunk appeared in an earlier request or slot
 * @param distinctChunks    distinct chunks in the stream
 * @param meanOutputTokens  mean decode length
 */
public record WorkloadStats(int requests, double meanPromptTokens, double reusePercent, int distinctChunks,
        double meanOutputTokens) {

    /**
     * Measures a stream. A chunk occurrence counts as reuse when an equal chunk (same tokens) appeared earlier.
     *
     * @param stream the requests; not empty (an empty stream gives NaN means)
     * @return the stream's size, mean prompt and output lengths, reuse percent and distinct chunks
     */
    public static WorkloadStats of(List<ReplayRequest> stream) {
        long tokens = 0;
        long output = 0;
        int occurrences = 0;
        int repeats = 0;
        Set<Segment> seen = new HashSet<>();
        for (ReplayRequest r : stream) {
            output += r.request().maxNewTokens();
            for (Segment s : r.request().segments()) {
                tokens += s.length();
                if (s.isChunk()) {
                    occurrences++;
                    if (!seen.add(s)) {
                        repeats++;
                    }
                }
            }
        }
        int n = stream.size();
        return new WorkloadStats(n, (double) tokens / n, occurrences == 0 ? 0 : 100.0 * repeats / occurrences,
                seen.size(), (double) output / n);
    }
}
