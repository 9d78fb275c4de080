package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Embedding lookup (a table in any float dtype) or row gather (an F32 table) into an out that
 * holds junk beforehand; widening is exact, so the kernel is bit-exact. Ids repeat and reach both
 * ends of the table. With {@code written} the ids are written into the tensor element-wise
 * rather than filled from an array, so the tensor keeps no host copy and the ascend launcher
 * reads them back from the device for its check.
 */
final class EmbeddingCase extends KernelCase {
    private final DType tableType;
    private final int vocab;
    private final int hidden;
    private final int rows;
    private final boolean written;

    EmbeddingCase(int index, long seed, DType tableType, int vocab, int hidden, int rows, boolean written) {
        super("embedding", index, seed, tableType, 0,
                String.format("table=%s vocab=%d hidden=%d rows=%d%s", tableType, vocab, hidden, rows,
                        written ? " ids=written" : ""));
        this.tableType = tableType;
        this.vocab = vocab;
        this.hidden = hidden;
        this.rows = rows;
        this.written = written;
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        Random r = new Random(seed());
        float[] table = Inputs.wide(r, vocab * hidden);
        int[] ids = new int[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = switch (i % 4) {
                case 0 -> vocab - 1;
                case 1 -> 0;
                default -> r.nextInt(vocab);
            };
        }
        try (Tensor t = be.fromFloats(tableType, table, vocab, hidden);
                Tensor idt = written ? be.allocate(DType.I32, rows) : be.fromInts(ids, rows);
                Tensor out = be.fromFloats(DType.F32, Inputs.filled(rows * hidden, 77f), rows, hidden)) {
            if (written && rows > 0) {
                idt.writeInts(0, ids);
            }
            be.embedding(new EmbeddingArgs(t, idt, out));
            Map<String, float[]> result = new LinkedHashMap<>();
            result.put("out", out.toFloatArray());
            return result;
        }
    }
}
