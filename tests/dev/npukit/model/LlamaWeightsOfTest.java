package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.Backends;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link LlamaWeights#of}: weights from tensors in memory, checked against the config's shapes. */
class LlamaWeightsOfTest {
    private static Map<String, float[]> tensorsOf(LlamaWeights w) {
        Map<String, float[]> t = new LinkedHashMap<>();
        for (String name : LlamaWeights.expectedShapes(w.config()).keySet()) {
            t.put(name, w.get(name));
        }
        return t;
    }

    @Test
    void sameTensorsGiveTheSameModel() {
        LlamaWeights random = LlamaWeights.random(LlamaConfig.tiny(1), 3, DType.BF16);
        LlamaWeights of = LlamaWeights.of(random.config(), DType.BF16, tensorsOf(random));
        assertEquals(DType.BF16, of.dtype());
        assertSame(random.get("model.norm.weight"), of.get("model.norm.weight"), "arrays are not copied");
        LlamaModel.Span span = new LlamaModel.Span(new int[] {0, 1}, 0, new int[] {4, 9, 2}, -1, true, true);
        float[][] logits = new float[2][];
        int i = 0;
        for (LlamaWeights w : List.of(random, of)) {
            try (LlamaModel m = new LlamaModel(Backends.get("cpu"), w, List.of());
                    PagedKvCache c = m.newCache(2, 4, DType.F32);
                    Tensor t = m.forward(c, List.of(span))) {
                logits[i++] = t.toFloatArray();
            }
        }
        assertArrayEquals(logits[0], logits[1]);
    }

    @Test
    void missingUnexpectedOrMisSizedTensorsAreRefused() {
        LlamaWeights random = LlamaWeights.random(LlamaConfig.tiny(1), 3, DType.F32);
        LlamaConfig c = random.config();
        Map<String, float[]> missing = tensorsOf(random);
        missing.remove("model.layers.0.mlp.up_proj.weight");
        Map<String, float[]> extra = tensorsOf(random);
        extra.put("model.layers.1.mlp.up_proj.weight", new float[1]);
        Map<String, float[]> wrong = tensorsOf(random);
        wrong.put("model.norm.weight", new float[c.hiddenSize() + 1]);
        for (Map<String, float[]> bad : List.of(missing, extra, wrong)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LlamaWeights.of(c, DType.F32, bad));
            assertTrue(e.getMessage().startsWith("tensors: "), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LlamaWeights.of(c, DType.I32, tensorsOf(random)));
        assertTrue(e.getMessage().startsWith("dtype: "), e.getMessage());
    }
}
