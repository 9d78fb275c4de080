package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npukit.backend.AscendBackend;
import dev.npukit.backend.Backends;
import dev.npukit.bridge.AscendKernels;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One decode step of the model on the ascend emulator: the index tensors of the step are uploaded
 * once and never read back, and the activations stay on the device from the embedding lookup to the
 * logits, so neither the launchers nor the model copy anything from the device, whatever the number
 * of layers.
 */
class StepCopiesTest {

    @Test
    void decodeStepCopiesDoNotGrowWithLayersBeyondTheDataReads() {
        AscendBackend b = (AscendBackend) Backends.get(AscendBackend.NAME);
        if (!b.mode().equals("emu")) {
            return;  // only the emulator counts copies (AscendBackendTest checks the mode)
        }
        long[] two = decodeStepCopies(b, 2);
        long[] four = decodeStepCopies(b, 4);
        assertEquals(0, two[0], "launcher device-to-host copies, 2 layers");
        assertEquals(0, four[0], "launcher device-to-host copies, 4 layers");
        assertEquals(0, two[1], "model device-to-host copies, 2 layers");
        assertEquals(0, four[1], "model device-to-host copies, 4 layers");
    }

    /** {launcher device-to-host copies, caller device-to-host copies} of one two-sequence decode step. */
    private static long[] decodeStepCopies(AscendBackend b, int layers) {
        LlamaWeights w = LlamaWeights.random(LlamaConfig.tiny(layers), 3, DType.F32);
        try (LlamaModel m = new LlamaModel(b, w, List.of()); PagedKvCache cache = m.newCache(8, 4, DType.F32)) {
            int[] tableA = {0, 1, 2};
            int[] tableB = {5, 4};
            try (Tensor t = m.forward(cache, List.of(new LlamaModel.Span(tableA, 0, new int[] {5, 6, 7, 8, 9}, -1,
                    true, true), new LlamaModel.Span(tableB, 0, new int[] {3, 4}, -1, true, true)))) {
                t.toFloatArray();
            }
            long[] before = counts();
            try (Tensor t = m.forward(cache, List.of(new LlamaModel.Span(tableA, 5, new int[] {11}, -1, true, true),
                    new LlamaModel.Span(tableB, 2, new int[] {12}, -1, true, true)))) {
                long[] after = counts();
                long caller = after[3] - before[3];
                return new long[] {after[1] - before[1] - caller, caller};
            }
        }
    }

    private static long[] counts() {
        long[] counts = new long[4];
        assertEquals(0, AscendKernels.npukit_ascend_copy_counts(counts));
        return counts;
    }
}
