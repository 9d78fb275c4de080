package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.npukit.backend.Backends;
import dev.npukit.cli.CliRun;
import dev.npukit.serving.ServingEngine;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code npukit decode --prompt TEXT}: the prompt encoded with the directory's tokenizer.json, the
 * greedy chain of the model printed as text (stopping at generation_config.json's EOS), the same
 * chain with {@code --json} as tokens plus text; with an adapter (CoLD) the same tokens as from
 * --prompt-tokens; exactly one of --prompt and --prompt-tokens.
 */
class DecodeTextCliTest {
    @TempDir
    Path dir;

    /** The model's greedy chain from the prompt, up to n tokens or through the first EOS. */
    static List<Integer> greedy(LlamaWeights w, int[] prompt, int n, int eos) {
        List<Integer> out = new ArrayList<>();
        try (LlamaModel m = new LlamaModel(Backends.best(), w, List.of()); ModelLogits l = new ModelLogits(m, 8, 16)) {
            int[] pending = prompt;
            while (out.size() < n) {
                int next;
                try (Tensor t = l.logits(List.of(new dev.npukit.cold.LogitsModel.Row(1, -1, pending)))) {
                    next = ServingEngine.argmax(t.toFloatArray());
                }
                out.add(next);
                if (next == eos) {
                    break;
                }
                pending = new int[] {next};
            }
        }
        return out;
    }

    @Test
    void textInTextOut() throws Exception {
        LlamaConfig c = LlamaConfig.tiny(2);
        LlamaWeights w = LlamaWeights.random(c, 12, DType.F32);
        Path m = dir.resolve("m");
        w.save(m);
        TokenizerFixture.write(m, c.vocabSize());
        String prompt = "the cat sat on the mat";
        int[] ids;
        String expectedText;
        List<Integer> chain;
        try (Tokenizer tok = Tokenizer.load(m)) {
            ids = tok.encode(prompt);
            chain = greedy(w, ids, 12, TokenizerFixture.EOS);
            expectedText = tok.decode(chain.stream().mapToInt(Integer::intValue).toArray());
        }
        assertTrue(expectedText.split(" ").length >= 6, "the chain decodes to words: " + expectedText);

        CliRun text = CliRun.of("decode", "--model", m.toString(), "--prompt", prompt, "--max-tokens", "12");
        assertEquals(0, text.code(), text.err());
        assertEquals(expectedText + System.lineSeparator(), text.out());

        CliRun json = CliRun.of("decode", "--model", m.toString(), "--prompt", prompt, "--max-tokens", "12", "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals(expectedText, root.path("text").asText());
        int[] tokens = new int[root.path("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = root.path("tokens").get(i).asInt();
        }
        assertArrayEquals(chain.stream().mapToInt(Integer::intValue).toArray(), tokens);

        // generation_config.json's EOS ends decoding: make the chain's third token the EOS.
        int stop = chain.get(2);
        Files.writeString(m.resolve("generation_config.json"), "{\"eos_token_id\": [" + stop + "]}");
        CliRun eos = CliRun.of("decode", "--model", m.toString(), "--prompt", prompt, "--max-tokens", "12", "--json");
        assertEquals(0, eos.code(), eos.err());
        JsonNode e = new ObjectMapper().readTree(eos.out());
        assertEquals("EOS", e.path("stop").asText());
        assertEquals(3, e.path("tokens").size());

        // --prompt-tokens keeps printing ids and ignores generation_config.json unless --eos is given.
        String idList = String.join(",", java.util.Arrays.stream(ids).mapToObj(String::valueOf).toList());
        CliRun idsRun = CliRun.of("decode", "--model", m.toString(), "--prompt-tokens", idList, "--max-tokens", "4");
        assertEquals(0, idsRun.code(), idsRun.err());
        List<Integer> noEos = greedy(w, ids, 4, -1);
        assertEquals(String.join(",", noEos.stream().map(String::valueOf).toList()), idsRun.out().trim());
    }

    /** With an adapter (CoLD), text mode decodes the same tokens as token-id mode and prints their text. */
    @Test
    void coldWithTextEqualsColdWithIds() throws Exception {
        LlamaConfig c = LlamaConfig.tiny(2);
        Path m = dir.resolve("m");
        LlamaWeights.random(c, 5, DType.F32).save(m);
        TokenizerFixture.write(m, c.vocabSize());
        Path lora = dir.resolve("lora");
        LoraAdapter.random(c, 4, 8f, 3, 0.4f, "self_attn.q_proj", "mlp.down_proj").save(lora, c);
        String prompt = "hello world the dog ran";
        int[] ids;
        try (Tokenizer tok = Tokenizer.load(m)) {
            ids = tok.encode(prompt);
        }
        String idList = String.join(",", java.util.Arrays.stream(ids).mapToObj(String::valueOf).toList());
        CliRun byIds = CliRun.of("decode", "--model", m.toString(), "--adapter", lora.toString(), "--prompt-tokens", idList,
                "--max-tokens", "10", "--eos", "2", "--json");
        CliRun byText = CliRun.of("decode", "--model", m.toString(), "--adapter", lora.toString(), "--prompt", prompt,
                "--max-tokens", "10", "--json");
        CliRun plainText = CliRun.of("decode", "--model", m.toString(), "--adapter", lora.toString(), "--prompt", prompt,
                "--max-tokens", "10");
        assertEquals(0, byIds.code(), byIds.err());
        assertEquals(0, byText.code(), byText.err());
        assertEquals(0, plainText.code(), plainText.err());
        JsonNode a = new ObjectMapper().readTree(byIds.out());
        JsonNode b = new ObjectMapper().readTree(byText.out());
        assertEquals(a.path("tokens"), b.path("tokens"));
        int[] tokens = new int[b.path("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = b.path("tokens").get(i).asInt();
        }
        try (Tokenizer tok = Tokenizer.load(m)) {
            assertEquals(tok.decode(tokens), b.path("text").asText());
        }
        assertEquals(b.path("text").asText() + System.lineSeparator(), plainText.out());
    }

    @Test
    void exactlyOnePromptAndATokenizerForText() throws Exception {
        LlamaConfig c = LlamaConfig.tiny(1);
        Path m = dir.resolve("m");
        LlamaWeights.random(c, 1, DType.F32).save(m);
        CliRun none = CliRun.of("decode", "--model", m.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().startsWith("--prompt: is required"), none.err());
        CliRun both = CliRun.of("decode", "--model", m.toString(), "--prompt", "hi", "--prompt-tokens", "1");
        assertEquals(2, both.code());
        assertTrue(both.err().startsWith("--prompt: give --prompt or --prompt-tokens, not both"), both.err());
        CliRun noTokenizer = CliRun.of("decode", "--model", m.toString(), "--prompt", "hi");
        assertEquals(2, noTokenizer.code());
        assertTrue(noTokenizer.err().startsWith("--prompt: ") && noTokenizer.err().contains("no tokenizer.json"),
                noTokenizer.err());
        Files.writeString(m.resolve("tokenizer.json"), "{\"model\": 3}");
        CliRun broken = CliRun.of("decode", "--model", m.toString(), "--prompt", "hi");
        assertEquals(1, broken.code());
        assertTrue(broken.err().startsWith("npukit decode: error: ") && broken.err().contains("tokenizer.json")
                && broken.err().strip().lines().count() == 1, broken.err());
        // A tokenizer with more ids than the model: the prompt's out-of-range id is a usage error.
        TokenizerFixture.write(m, 200);
        CliRun big = CliRun.of("decode", "--model", m.toString(), "--prompt", "t150");
        assertEquals(2, big.code());
        assertTrue(big.err().lines().anyMatch(l -> l.startsWith("--prompt: the tokenizer gives token 150")), big.err());
    }
}
