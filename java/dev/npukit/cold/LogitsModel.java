package dev.npukit.cold;

import dev.npukit.tensor.Tensor;
import java.util.List;

/**
 * The model side of contrastive LoRA decoding: anything that turns a batch of rows into next-token
 * logits. A row continues one sequence (its KV cache, kept by the model) with new tokens, through
 * the base model plus one LoRA adapter, or the base model alone (adapter -1).
 *
 * <p>{@link ContrastiveDecoder} sends, for every live request, its expert row (the request's
 * adapter) followed by its base row (adapter -1), each a separate sequence: the first call of a
 * sequence carries the whole prompt, later calls the one token chosen in the previous step.
 */
public interface LogitsModel {

    /**
     * One row of a batch.
     *
     * @param sequenceId the sequence this row continues; the model keeps its state per id
     * @param adapter LoRA adapter index, or -1 for the base model alone
     * @param newTokens tokens appended to the sequence by this row (not to be modified)
     */
    record Row(long sequenceId, int adapter, int[] newTokens) {
    }

    /**
     * The vocabulary size.
     *
     * @return the number of logits per row
     */
    int vocabSize();

    /**
     * Logits for the last new token of every row: a [rows.size(), vocabSize()] F32/F16/BF16 tensor
     * on the decoder's backend, row i for rows.get(i). The caller closes it.
     *
     * @param rows the batch; each row continues its sequence with its new tokens
     * @return the logits, [rows.size(), vocabSize()]
     */
    Tensor logits(List<Row> rows);

    /**
     * The sequence will not be continued; the model may drop its state. Default: nothing.
     *
     * @param sequenceId the sequence's id, as given in {@link Row#sequenceId()}
     */
    default void release(long sequenceId) {
    }
}
