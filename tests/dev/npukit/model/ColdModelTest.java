package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.AvailableBackends;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.cold.ColdConfig;
import dev.npukit.cold.ContrastiveDecoder;
import dev.npukit.cold.DecodeRequest;
import dev.npukit.cold.Generation;
import dev.npukit.cold.LogitsModel;
import dev.npukit.serving.ServingEngine;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CoLD through the model, on every available backend: the decoder sends expert rows (an adapter)
 * and base rows (-1) in one batch. With beta = 0 it is greedy decoding of the adapted model;
 * several requests batched decode the same tokens as each alone; and with beta > 0 the contrast
 * changes some tokens.
 */
class ColdModelTest {
    private static final LlamaConfig CFG = LlamaConfig.tiny(2);

    private static List<LoraAdapter> adapters() {
        return List.of(LoraAdapter.random(CFG, 4, 8f, 31, 0.4f, "self_attn.q_proj", "self_attn.v_proj", "mlp.down_proj"),
                LoraAdapter.random(CFG, 8, 8f, 32, 0.4f, "self_attn.o_proj", "mlp.up_proj"));
    }

    private static int[] greedy(LogitsModel m, int[] prompt, int adapter, int n) {
        int[] out = new int[n];
        int[] pending = prompt;
        for (int i = 0; i < n; i++) {
            try (Tensor t = m.logits(List.of(new LogitsModel.Row(999, adapter, pending)))) {
                out[i] = ServingEngine.argmax(t.toFloatArray());
            }
            pending = new int[] {out[i]};
        }
        m.release(999);
        return out;
    }

    static List<String> backends() {
        return AvailableBackends.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void betaZeroIsGreedyOfTheAdaptedModelAndBatchingChangesNothing(String backend) {
        Backend be = Backends.get(backend);
        LlamaWeights w = LlamaWeights.random(CFG, 4, DType.F32);
        Random r = new Random(6);
        List<DecodeRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(new DecodeRequest(LlamaModelTest.tokens(r, 5 + 3 * i, CFG.vocabSize()), i % 2, 12, null));
        }
        try (LlamaModel m = new LlamaModel(be, w, adapters()); ModelLogits logits = new ModelLogits(m, 64, 4)) {
            ContrastiveDecoder plain = new ContrastiveDecoder(be, logits, ColdConfig.builder().beta(0f).maxNewTokens(12).build());
            List<Generation> batched = plain.generate(requests);
            for (int i = 0; i < requests.size(); i++) {
                DecodeRequest q = requests.get(i);
                assertArrayEquals(greedy(logits, q.prompt(), q.adapter(), 12), batched.get(i).tokens(), "request " + i);
            }
            assertEquals(0, logits.blocksInUse(), "every sequence released its blocks");

            ContrastiveDecoder cold = new ContrastiveDecoder(be, logits, ColdConfig.builder().maxNewTokens(12).build());
            List<Generation> together = cold.generate(requests);
            int differs = 0;
            for (int i = 0; i < requests.size(); i++) {
                List<Generation> alone = cold.generate(List.of(requests.get(i)));
                assertArrayEquals(alone.get(0).tokens(), together.get(i).tokens(), "request " + i + " alone vs batched");
                differs += java.util.Arrays.equals(together.get(i).tokens(), batched.get(i).tokens()) ? 0 : 1;
            }
            assertTrue(differs > 0, "beta 0.5 contrasts with the base model and changes some generations");
        }
    }
}
