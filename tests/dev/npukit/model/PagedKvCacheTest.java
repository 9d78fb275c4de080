package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.npukit.backend.AvailableBackends;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.kernels.KvLayout;
import dev.npukit.tensor.DType;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model's cache in either layout, on every available backend: the same forward gives the same
 * logits bit for bit, blocks read back in the same (NHD) order, and blocks copied from a cache in
 * one layout into a cache in the other continue the sequence as the original does.
 */
class PagedKvCacheTest {

    static List<String> backends() {
        return AvailableBackends.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void bothLayoutsComputeAndStoreTheSame(String name) {
        Backend b = Backends.get(name);
        LlamaWeights w = LlamaWeights.random(LlamaConfig.tiny(2), 5, DType.F32);
        int[] prompt = LlamaModelTest.tokens(new Random(3), 13, w.config().vocabSize());
        int[] table = {3, 0, 2, 5};
        int[] next = {7};
        try (LlamaModel m = new LlamaModel(b, w, List.of());
                PagedKvCache nhd = m.newCache(6, 4, DType.F32, KvLayout.NHD);
                PagedKvCache hnd = m.newCache(6, 4, DType.F32, KvLayout.HND);
                PagedKvCache moved = m.newCache(6, 4, DType.F32, KvLayout.HND);
                PagedKvCache byDefault = m.newCache(2, 4, DType.F32)) {
            assertEquals(PagedKvCache.defaultLayout(b), byDefault.layout());
            assertEquals(KvLayout.HND, hnd.layout());
            List<LlamaModel.Span> prefill = List.of(new LlamaModel.Span(table, 0, prompt, -1, true, true));
            assertArrayEquals(LlamaModelTest.logits(m, nhd, prefill), LlamaModelTest.logits(m, hnd, prefill));
            for (int layer = 0; layer < nhd.numLayers(); layer++) {
                for (int block = 0; block < nhd.numBlocks(); block++) {
                    float[][] kv = nhd.readBlock(layer, block);
                    float[][] other = hnd.readBlock(layer, block);
                    assertArrayEquals(kv[0], other[0], "keys of layer " + layer + " block " + block);
                    assertArrayEquals(kv[1], other[1], "values of layer " + layer + " block " + block);
                    moved.writeBlock(layer, block, kv);
                }
            }
            // The next token reads every prompt slot: from the moved blocks it must see what the original sees.
            List<LlamaModel.Span> decode = List.of(new LlamaModel.Span(table, 13, next, -1, true, true));
            float[] expected = LlamaModelTest.logits(m, nhd, decode);
            assertArrayEquals(expected, LlamaModelTest.logits(m, moved, decode));
            assertThrows(IllegalArgumentException.class, () -> m.newCache(2, 4, DType.F32, null));
        }
    }
}
