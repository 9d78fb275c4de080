package dev.npukit.kernels;

import dev.npukit.tensor.Tensor;

/**
 * A view of some rows of a logits tensor [rows, vocab] without copying: row b of the view is
 * row {@code firstRow + b * rowStride} of {@code logits}. This is how contrastive scoring reads
 * the expert and base rows of one interleaved [2B, vocab] batch (expert, base, expert, base,
 * ...), or two separate [B, vocab] tensors.
 *
 * @param logits [rows, vocab] F32/F16/BF16
 * @param firstRow row of {@code logits} that is row 0 of the view, at least 0
 * @param rowStride distance in rows between consecutive rows of the view, at least 1
 */
public record LogitRows(Tensor logits, long firstRow, long rowStride) {

    /**
     * Every row of {@code logits}, in order.
     *
     * @param logits [rows, vocab]
     * @return the view with first row 0 and stride 1
     */
    public static LogitRows all(Tensor logits) {
        return new LogitRows(logits, 0, 1);
    }

    /**
     * Rows 0, 2, 4, ... of an interleaved (expert, base, expert, base, ...) batch.
     *
     * @param interleaved [2B, vocab]
     * @return the view with first row 0 and stride 2
     */
    public static LogitRows expertRowsOf(Tensor interleaved) {
        return new LogitRows(interleaved, 0, 2);
    }

    /**
     * Rows 1, 3, 5, ... of an interleaved (expert, base, expert, base, ...) batch.
     *
     * @param interleaved [2B, vocab]
     * @return the view with first row 1 and stride 2
     */
    public static LogitRows baseRowsOf(Tensor interleaved) {
        return new LogitRows(interleaved, 1, 2);
    }

    /**
     * Maps a view row to a tensor row; not range-checked.
     *
     * @param b a row of the view
     * @return the row of {@code logits} that is row {@code b} of the view: {@code firstRow + b * rowStride}
     */
    public long row(long b) {
        return firstRow + b * rowStride;
    }
}
