package dev.npukit.mepic;

import java.util.List;

/**
 * A request to plan: its ordered segments and how many tokens it may decode. The cache manager reserves
 * blocks for {@code maxNewTokens} at admission, so decode-time growth within that bound never fails.
 *
 * @param segments     the chunks and prompts, in order; an immutable list
 * @param maxNewTokens tokens the request may decode
 */
public record Request(List<Segment> segments, int maxNewTokens) {
    /**
     * A request over an immutable copy of {@code segments}.
     *
     * @param segments     the chunks and prompts, in order; at least one, none null
     * @param maxNewTokens tokens the request may decode, >= 0
     * @throws IllegalArgumentException if {@code segments} is null, empty or holds a null, or
     *                                  {@code maxNewTokens} is negative
     */
    public Request {
        if (segments == null) {
            throw new IllegalArgumentException("segments: is null");
        }
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("segments: a request needs at least one segment");
        }
        for (int i = 0; i < segments.size(); i++) {
            if (segments.get(i) == null) {
                throw new IllegalArgumentException("segments: element " + i + " is null");
            }
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens: must be >= 0, got " + maxNewTokens);
        }
        segments = List.copyOf(segments);
    }

    /**
     * A request with no decode reservation.
     *
     * @param segments the chunks and prompts, in order; at least one, none null
     * @return a request with {@code maxNewTokens} 0
     * @throws IllegalArgumentException if there is no segment or one is null
     */
    public static Request of(Segment... segments) {
        return new Request(List.of(segments), 0);
    }
}
