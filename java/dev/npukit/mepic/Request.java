package dev.npukit.mepic;

import java.util.List;

/**
 * A request to plan: its ordered segments and how many tokens it may decode. The cache manager reserves
 * blocks for {@code maxNewTokens} at admission, so decode-time growth within that bound never fails.
 */
public record Request(List<Segment> segments, int maxNewTokens) {
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

    /** A request with no decode reservation. */
    public static Request of(Segment... segments) {
        return new Request(List.of(segments), 0);
    }
}
