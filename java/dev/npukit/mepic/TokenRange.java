package dev.npukit.mepic;

/**
 * Token indexes {@code [start, end)} in a plan's padded token sequence.
 *
 * @param start the first index
 * @param end   one past the last index
 */
public record TokenRange(int start, int end) {
    /**
     * A range of token indexes.
     *
     * @param start the first index, >= 0
     * @param end   one past the last index, >= {@code start}
     * @throws IllegalArgumentException if {@code start} is negative or {@code end} is below it
     */
    public TokenRange {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("start: range [" + start + ", " + end + ") is not valid");
        }
    }

    /** {@return the number of tokens in the range, {@code end - start}} */
    public int length() {
        return end - start;
    }
}
