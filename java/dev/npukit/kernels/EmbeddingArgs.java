package dev.npukit.kernels;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Arguments of the embedding lookup, also a row gather (docs/kernels.md, embedding):
 * {@code out[r] = table[ids[r]]} widened to F32, exactly.
 *
 * @param table [vocab, hidden] F32/F16/BF16: an embedding table, or any F32 activation tensor whose rows are gathered
 * @param ids I32 [rows], each in [0, vocab)
 * @param out F32 [rows, hidden], overwritten; shares no memory with table or ids
 */
public record EmbeddingArgs(Tensor table, Tensor ids, Tensor out) implements TensorArgs {

    /** The tensor arguments, in {@link #tensor(int)} order, and those the kernel writes. */
    private static final TensorSlots SLOTS = TensorSlots.of("table", "ids", "out").written("out");

    /** {@inheritDoc} */
    @Override
    public TensorSlots slots() {
        return SLOTS;
    }

    /** {@inheritDoc} */
    @Override
    public Tensor tensor(int i) {
        return switch (i) {
            case 0 -> table;
            case 1 -> ids;
            case 2 -> out;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    /**
     * Sizes of a validated call.
     *
     * @param rows ids, rows of out
     * @param vocab rows of the table
     * @param hidden columns of the table and out
     */
    public record Shape(int rows, int vocab, int hidden) {
    }

    /**
     * Checks every argument, the id values included (read from the host copy an I32 tensor keeps
     * when it was filled from an int array, so a device tensor is not copied back).
     *
     * @param device the backend the call runs on; every tensor must live on it
     * @return the call's sizes
     * @throws IllegalArgumentException naming the first bad argument: a null or closed tensor, one on another
     *     backend, a wrong dtype, rank or dimension, an id outside [0, vocab) ("ids: entry 3 is 9, outside [0, 8)"),
     *     or out sharing memory with an input
     */
    public Shape validate(String device) {
        Check.tensor("table", table, device, 2, DType.F32, DType.F16, DType.BF16);
        Check.tensor("ids", ids, device, 1, DType.I32);
        Check.tensor("out", out, device, 2, DType.F32);
        int vocab = Check.toInt("table", table.dim(0));
        int hidden = Check.toInt("table", table.dim(1));
        int rows = Check.toInt("ids", ids.dim(0));
        Check.dim("out", out, 0, rows, "rows = length of ids");
        Check.dim("out", out, 1, hidden, "hidden of table");
        Check.disjoint("out", out, "table", table);
        Check.disjoint("out", out, "ids", ids);
        Check.entriesInRange("ids", ids.toIntArray(), 0, vocab, " (vocab)");
        return new Shape(rows, vocab, hidden);
    }
}
