package dev.npukit.mepic;

/** Token indexes {@code [start, end)} in a plan's padded token sequence. */
public record TokenRange(int start, int end) {
    public TokenRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("start: range [" + start + ", " + end + ") is not valid");
        }
    }

    public int length() {
        return end - start;
    }
}
