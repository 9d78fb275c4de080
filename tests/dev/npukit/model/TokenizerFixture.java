package dev.npukit.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a Hugging Face tokenizer for a model of a given vocabulary into a model directory, as
 * the files of a real checkpoint: {@code tokenizer.json} (a WordLevel model over whitespace-split
 * words, its post-processor prepending BOS), {@code tokenizer_config.json} and
 * {@code generation_config.json}. Ids: 0 {@code <unk>}, 1 {@code <s>} (BOS), 2 {@code </s>} (EOS),
 * then {@link #WORDS}, then {@code t<id>} up to vocabSize - 1, so every id the model can produce
 * decodes to a word. Used by the tokenizer tests and by the documentation examples' fixtures
 * (a random {@code LlamaConfig.small()} checkpoint plus {@code TokenizerFixture.write(dir, 2048)}).
 */
public final class TokenizerFixture {
    /** Words with the lowest ordinary ids, in order from id 3. */
    public static final List<String> WORDS = List.of("the", "a", "cat", "dog", "sat", "on", "mat", "and", "ran",
            "to", "hello", "world", "Paris", "is", "in", "France", "capital", "of", "what", "?", ".", ",");

    /** The BOS id. */
    public static final int BOS = 1;
    /** The EOS id. */
    public static final int EOS = 2;

    private TokenizerFixture() {
    }

    /**
     * Writes the three files into {@code dir} for a vocabulary of {@code vocabSize} ids (at least 3).
     *
     * @throws IOException if a file cannot be written
     */
    public static void write(Path dir, int vocabSize) throws IOException {
        if (vocabSize < 3) {
            throw new IllegalArgumentException("vocabSize: is " + vocabSize + ", must be at least 3");
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0").putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        String[] special = {"<unk>", "<s>", "</s>"};
        for (int i = 0; i < special.length; i++) {
            added.addObject().put("id", i).put("content", special[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", "Whitespace");
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<s>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject("<s>");
        bos.put("id", "<s>");
        bos.putArray("ids").add(BOS);
        bos.putArray("tokens").add("<s>");
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel").put("unk_token", "<unk>");
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < vocabSize; id++) {
            String word = id < special.length ? special[id]
                    : id - special.length < WORDS.size() ? WORDS.get(id - special.length) : "t" + id;
            vocab.put(word, id);
        }
        Files.createDirectories(dir);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer.json").toFile(), root);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("tokenizer_config.json").toFile(),
                json.createObjectNode().put("bos_token", "<s>").put("eos_token", "</s>").put("unk_token", "<unk>")
                        .put("tokenizer_class", "PreTrainedTokenizerFast"));
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("generation_config.json").toFile(),
                json.createObjectNode().put("bos_token_id", BOS).put("eos_token_id", EOS));
    }
}
