package dev.npukit.cold;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder over a scripted model whose logits depend only on (expert or base, last token), on
 * every backend and for F32 and BF16 logits (all values below are exact in BF16).
 *
 * <p>Vocabulary {0 = EOS, 1, 2, 3, 4}. With alpha 0.1 a token is valid when its expert logit is
 * at least max - 2.3026; with beta 0.5, cd = 1.5 e - 0.5 a.
 * <pre>
 * last  expert e               base a                valid   cd                      CoLD  greedy
 *  4    [-4, 2, 1.5, -1, -6]   [-4, 2, 0, -1, -6]    {1,2}   cd1 = 3-1 = 2,
 *                                                            cd2 = 2.25-0 = 2.25      2     1
 *  2    [.5, -3, -3, 1, -3]    [.5, -3, -3, 2, -3]   {0,3}   cd0 = .75-.25 = .5,
 *                                                            cd3 = 1.5-1 = .5 (tie)   0     3
 *  1    [-2, -2, -2, 3, -2]    same                  {3}     only 3                   3     3
 *  3    [2, -1, -1, -1, 1]     [4, -1, -1, -1, 0]    {0,4}   cd0 = 3-2 = 1,
 *                                                            cd4 = 1.5-0 = 1.5        4     0
 * </pre>
 * So from prompt [3, 4] CoLD says 2, then 0 (the tie goes to the lower index, EOS): [2, 0];
 * greedy (beta = 0) says 1, 3, 0. From prompt [1], CoLD: 3, 4, 2, 0; greedy: 3, 0.
 */
class ContrastiveDecoderTest {
    static final float[][] EXPERT = {
        {0, 0, 0, 0, 0},
        {-2, -2, -2, 3, -2},
        {0.5f, -3, -3, 1, -3},
        {2, -1, -1, -1, 1},
        {-4, 2, 1.5f, -1, -6},
    };
    static final float[][] BASE = {
        {0, 0, 0, 0, 0},
        {-2, -2, -2, 3, -2},
        {0.5f, -3, -3, 2, -3},
        {4, -1, -1, -1, 0},
        {-4, 2, 0, -1, -6},
    };

    /** Keeps every sequence's tokens, checks the decoder's batches, answers from the tables. */
    static final class ScriptedModel implements LogitsModel {
        final Backend backend;
        final DType dtype;
        final Map<Long, List<Integer>> sequences = new HashMap<>();
        final List<Integer> batchRows = new ArrayList<>();
        final List<Long> released = new ArrayList<>();

        ScriptedModel(Backend backend, DType dtype) {
            this.backend = backend;
            this.dtype = dtype;
        }

        @Override
        public int vocabSize() {
            return 5;
        }

        @Override
        public Tensor logits(List<Row> rows) {
            batchRows.add(rows.size());
            assertEquals(0, rows.size() % 2, "expert and base rows come in pairs");
            float[] out = new float[rows.size() * 5];
            for (int i = 0; i < rows.size(); i++) {
                Row row = rows.get(i);
                assertEquals(i % 2 == 1, row.adapter() == -1, "row " + i + ": expert rows even, base rows odd");
                if (i % 2 == 1) {
                    assertArrayEquals(rows.get(i - 1).newTokens(), row.newTokens(), "both rows get the same tokens");
                }
                List<Integer> seq = sequences.computeIfAbsent(row.sequenceId(), k -> new ArrayList<>());
                assertTrue(seq.isEmpty() || row.newTokens().length == 1, "after the prompt, one token per step");
                for (int t : row.newTokens()) {
                    seq.add(t);
                }
                float[] table = (row.adapter() >= 0 ? EXPERT : BASE)[seq.get(seq.size() - 1)];
                System.arraycopy(table, 0, out, i * 5, 5);
            }
            return backend.fromFloats(dtype, out, rows.size(), 5);
        }

        @Override
        public void release(long sequenceId) {
            released.add(sequenceId);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String b : new String[] {"reference", "cpu"}) {
            for (DType d : new DType[] {DType.F32, DType.BF16}) {
                out.add(Arguments.of(b, d));
            }
        }
        return out.stream();
    }

    private static List<Generation> decode(String backend, DType dtype, ColdConfig config, DecodeRequest... reqs) {
        Backend be = Backends.get(backend);
        return new ContrastiveDecoder(be, new ScriptedModel(be, dtype), config).generate(List.of(reqs));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void coldDiffersFromGreedyAsWorkedOutByHand(String backend, DType dtype) {
        Backend be = Backends.get(backend);
        ScriptedModel model = new ScriptedModel(be, dtype);
        ColdConfig config = ColdConfig.builder().eosTokens(0).build();
        List<Generation> out = new ContrastiveDecoder(be, model, config).generate(List.of(
                DecodeRequest.of(new int[] {3, 4}, 0), DecodeRequest.of(new int[] {1}, 1)));
        assertArrayEquals(new int[] {2, 0}, out.get(0).tokens());
        assertEquals(Generation.Stop.EOS, out.get(0).stop());
        assertArrayEquals(new int[] {3, 4, 2, 0}, out.get(1).tokens());
        // Both requests for two steps, then only the second: one batch per step.
        assertEquals(List.of(4, 4, 2, 2), model.batchRows);
        assertEquals(4, model.released.size(), "both sequences of both requests are released");
        // Prompt plus the chosen tokens; the EOS that ended the request is never fed back.
        assertEquals(List.of(3, 4, 2), model.sequences.get(0L), "expert sequence of request 0 got the tokens");
        assertEquals(List.of(3, 4, 2), model.sequences.get(1L), "so did its base sequence");
        assertEquals(List.of(1, 3, 4, 2), model.sequences.get(3L), "base sequence of request 1");

        ColdConfig greedy = ColdConfig.builder().eosTokens(0).beta(0).build();
        List<Generation> plain = decode(backend, dtype, greedy, DecodeRequest.of(new int[] {3, 4}, 0),
                DecodeRequest.of(new int[] {1}, 0));
        assertArrayEquals(new int[] {1, 3, 0}, plain.get(0).tokens());
        assertArrayEquals(new int[] {3, 0}, plain.get(1).tokens());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void stopsAtPerRequestLimitsAndEos(String backend, DType dtype) {
        ColdConfig config = ColdConfig.builder().eosTokens(0).maxNewTokens(3).build();
        List<Generation> out = decode(backend, dtype, config, DecodeRequest.of(new int[] {1}, 0),
                DecodeRequest.of(new int[] {1}, 0).withMaxNewTokens(1),
                DecodeRequest.of(new int[] {1}, 0).withEosTokens(4));
        assertArrayEquals(new int[] {3, 4, 2}, out.get(0).tokens());
        assertEquals(Generation.Stop.MAX_TOKENS, out.get(0).stop());
        assertArrayEquals(new int[] {3}, out.get(1).tokens());
        assertEquals(Generation.Stop.MAX_TOKENS, out.get(1).stop());
        assertArrayEquals(new int[] {3, 4}, out.get(2).tokens());
        assertEquals(Generation.Stop.EOS, out.get(2).stop());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void samplingIsSeededAndColdAtLowTemperature(String backend, DType dtype) {
        // At T = 0.001 the gaps along 1 -> 3 -> 4 -> 2 (single valid, 0.5, 0.25) are worth 250 or
        // more, far beyond the Gumbel noise, so sampling follows CoLD's argmax.
        ColdConfig cold = ColdConfig.builder().temperature(0.001f).seed(7).maxNewTokens(3).build();
        assertArrayEquals(new int[] {3, 4, 2}, decode(backend, dtype, cold, DecodeRequest.of(new int[] {1}, 0))
                .get(0).tokens());

        // At T = 2 the draws are random but reproducible, and equal on every backend.
        ColdConfig hot = ColdConfig.builder().temperature(2f).seed(11).maxNewTokens(12).build();
        DecodeRequest[] reqs = new DecodeRequest[8];
        for (int i = 0; i < reqs.length; i++) {
            reqs[i] = DecodeRequest.of(new int[] {1 + i % 4}, 0);
        }
        List<Generation> a = decode(backend, dtype, hot, reqs);
        List<Generation> b = decode(backend, dtype, hot, reqs);
        List<Generation> ref = decode("reference", dtype, hot, reqs);
        boolean differsFromArgmax = false;
        for (int i = 0; i < reqs.length; i++) {
            assertArrayEquals(a.get(i).tokens(), b.get(i).tokens(), "same seed, same tokens");
            assertArrayEquals(ref.get(i).tokens(), a.get(i).tokens(), "every backend draws the same tokens");
            int[] greedy = decode(backend, dtype, ColdConfig.builder().maxNewTokens(12).build(), reqs[i]).get(0)
                    .tokens();
            differsFromArgmax |= !java.util.Arrays.equals(greedy, a.get(i).tokens());
        }
        assertTrue(differsFromArgmax, "T = 2 must sometimes leave the argmax");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void configAndRequestsAreValidated(String backend, DType dtype) {
        assertEquals(0.1f, ColdConfig.defaults().alpha());
        assertEquals(0.5f, ColdConfig.defaults().beta());
        assertEquals(false, ColdConfig.defaults().sampling());
        expectBad("alpha", () -> ColdConfig.builder().alpha(0).build());
        expectBad("alpha", () -> ColdConfig.builder().alpha(1.01f).build());
        expectBad("beta", () -> ColdConfig.builder().beta(-1).build());
        expectBad("temperature", () -> ColdConfig.builder().temperature(-0.5f).build());
        expectBad("temperature", () -> ColdConfig.builder().temperature(Float.NaN).build());
        expectBad("maxNewTokens", () -> ColdConfig.builder().maxNewTokens(0).build());
        expectBad("prompt", () -> DecodeRequest.of(new int[0], 0));
        expectBad("adapter", () -> DecodeRequest.of(new int[] {1}, -1));
        Backend be = Backends.get(backend);
        expectBad("model", () -> new ContrastiveDecoder(be, null, ColdConfig.defaults()));
        ContrastiveDecoder decoder = new ContrastiveDecoder(be, new ScriptedModel(be, dtype), ColdConfig.defaults());
        for (int token : new int[] {-1, 5}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> decoder.generate(
                    List.of(DecodeRequest.of(new int[] {1}, 0), DecodeRequest.of(new int[] {3, token}, 0))));
            assertEquals("requests: entry 1 has prompt token " + token + " at position 1, outside the model's"
                    + " vocabulary [0, 5)", e.getMessage());
        }
    }

    private static void expectBad(String argument, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
    }
}
