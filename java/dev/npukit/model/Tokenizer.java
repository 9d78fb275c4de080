package dev.npukit.model;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.npukit.util.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The text side of a Hugging Face model directory: {@code tokenizer.json} run by Hugging Face's
 * own tokenizers library (Rust, through DJL's JNI binding {@code ai.djl.huggingface:tokenizers},
 * an optional dependency of npukit), with the BOS and EOS ids of {@code generation_config.json}
 * and {@code tokenizer_config.json}.
 *
 * <p>{@link #encode} adds special tokens as {@code tokenizer.json}'s post-processor says, as
 * {@code tokenizer(text)} does in Python (Llama 3 prepends {@code <|begin_of_text|>}, Qwen2 adds
 * nothing); no chat template is applied. {@link #decode} drops special tokens and honours
 * {@code clean_up_tokenization_spaces}.
 *
 * <p>Nothing touches the network: unless the {@code ai.djl.offline} system property (or the
 * {@code DJL_OFFLINE} environment variable) says otherwise, loading sets {@code ai.djl.offline=true},
 * which turns off DJL's usage report and any native library download. The CPU native library
 * comes from the DJL jar and is extracted once to {@code ~/.djl.ai/tokenizers/} (or under
 * {@code DJL_CACHE_DIR}). Not thread-safe to close while in use.
 *
 * <pre>{@code
 * try (Tokenizer tok = Tokenizer.load(Path.of("my-llama"))) {
 *     int[] ids = tok.encode("Hello world");
 *     String text = tok.decode(ids);
 * }
 * }</pre>
 */
public final class Tokenizer implements AutoCloseable {
    private final HuggingFaceTokenizer hf;
    private final OptionalInt bosId;
    private final int[] eosIds;
    private final boolean cleanUpSpaces;

    private Tokenizer(HuggingFaceTokenizer hf, OptionalInt bosId, int[] eosIds, boolean cleanUpSpaces) {
        this.hf = hf;
        this.bosId = bosId;
        this.eosIds = eosIds;
        this.cleanUpSpaces = cleanUpSpaces;
    }

    /**
     * Loads {@code dir/tokenizer.json}, and the special token ids from {@code generation_config.json}
     * ({@code bos_token_id}, {@code eos_token_id}: an id or a list) or, for what it lacks, from
     * {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token}: a token or {"content": token}).
     *
     * @param dir a model directory holding tokenizer.json
     * @return the tokenizer, to be closed
     * @throws SafetensorsException with a one-line message naming the file, if a file is missing, unreadable,
     *     not JSON or not a tokenizer the library reads, or a special token is not in the vocabulary
     * @throws IllegalStateException if {@code ai.djl.huggingface:tokenizers} is not on the class path or its
     *     native library cannot be loaded on this platform
     */
    public static Tokenizer load(Path dir) {
        Check.arg(dir != null, "dir", "is null");
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new SafetensorsException(file, "missing: text in and out needs the model's tokenizer.json");
        }
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        HuggingFaceTokenizer hf;
        try {
            // As tokenizer(text) in Python: special tokens added, never truncated or padded, whatever
            // truncation or padding tokenizer.json declares.
            hf = HuggingFaceTokenizer.newInstance(file, Map.of("addSpecialTokens", "true", "truncation", "false",
                    "padding", "false"));
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("Tokenizer needs ai.djl.huggingface:tokenizers on the class path"
                    + " (an optional dependency of npukit): " + e.getMessage(), e);
        } catch (UnsatisfiedLinkError e) {
            throw new IllegalStateException("the tokenizers native library does not load here: " + oneLine(e), e);
        } catch (IOException | RuntimeException e) {
            throw new SafetensorsException(file, "not a tokenizer Hugging Face's tokenizers library reads: "
                    + oneLine(e), e);
        }
        try {
            JsonNode gen = optionalJson(dir.resolve("generation_config.json"));
            JsonNode tokCfg = optionalJson(dir.resolve("tokenizer_config.json"));
            Path tokCfgFile = dir.resolve("tokenizer_config.json");
            OptionalInt bos = ids(dir.resolve("generation_config.json"), gen, "bos_token_id").stream().findFirst()
                    .map(OptionalInt::of).orElseGet(() -> tokenId(hf, tokCfgFile, tokCfg, "bos_token"));
            List<Integer> eos = ids(dir.resolve("generation_config.json"), gen, "eos_token_id");
            if (eos.isEmpty()) {
                tokenId(hf, tokCfgFile, tokCfg, "eos_token").ifPresent(eos::add);
            }
            JsonNode cleanUp = tokCfg == null ? null : tokCfg.get("clean_up_tokenization_spaces");
            if (cleanUp != null && !cleanUp.isNull() && !cleanUp.isBoolean()) {
                throw new SafetensorsException(tokCfgFile, "field 'clean_up_tokenization_spaces' must be true or false");
            }
            return new Tokenizer(hf, bos, eos.stream().mapToInt(Integer::intValue).toArray(),
                    cleanUp != null && cleanUp.asBoolean());
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
    }

    /**
     * The token ids of a text, special tokens added as the tokenizer's post-processor says.
     *
     * @param text any text, possibly empty
     * @return the ids, in order
     * @throws IllegalArgumentException if text is null
     */
    public int[] encode(String text) {
        Check.arg(text != null, "text", "is null");
        long[] ids = hf.encode(text, true, false).getIds();
        return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
    }

    /**
     * The text of token ids, special tokens (BOS, EOS, ...) left out; with
     * {@code clean_up_tokenization_spaces: true} in tokenizer_config.json, spaces before punctuation
     * and contractions are removed as transformers does (absent means false, transformers' default).
     *
     * @param ids token ids, none negative
     * @return the decoded text
     * @throws IllegalArgumentException if ids is null or holds a negative id
     */
    public String decode(int[] ids) {
        Check.arg(ids != null, "ids", "is null");
        for (int i = 0; i < ids.length; i++) {
            Check.arg(ids[i] >= 0, "ids", "entry %d is %d, must not be negative", i, ids[i]);
        }
        String text = hf.decode(Arrays.stream(ids).asLongStream().toArray(), true);
        return cleanUpSpaces ? cleanUp(text) : text;
    }

    /** transformers' clean_up_tokenization: no space before punctuation and English contractions. */
    private static String cleanUp(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s").replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    /**
     * The id that starts a sequence.
     *
     * @return generation_config.json's bos_token_id, else tokenizer_config.json's bos_token, else empty
     */
    public OptionalInt bosId() {
        return bosId;
    }

    /**
     * The ids that end generation.
     *
     * @return generation_config.json's eos_token_id (one or several), else tokenizer_config.json's eos_token,
     *     else none; a copy
     */
    public int[] eosIds() {
        return eosIds.clone();
    }

    /** Frees the native tokenizer. */
    @Override
    public void close() {
        hf.close();
    }

    private static JsonNode optionalJson(Path file) {
        return Files.isRegularFile(file) ? LlamaConfig.readJson(file) : null;
    }

    /** An id field that is an integer, a list of integers, null or absent. */
    private static List<Integer> ids(Path file, JsonNode root, String field) {
        List<Integer> out = new ArrayList<>();
        JsonNode n = root == null ? null : root.get(field);
        if (n == null || n.isNull()) {
            return out;
        }
        for (JsonNode v : n.isArray() ? n : List.of(n)) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
                throw new SafetensorsException(file, "field '" + field + "' must be a token id or a list of token ids");
            }
            out.add(v.asInt());
        }
        return out;
    }

    /** The id of a special token named in tokenizer_config.json (a string or an object with "content"). */
    private static OptionalInt tokenId(HuggingFaceTokenizer hf, Path file, JsonNode root, String field) {
        JsonNode n = root == null ? null : root.get(field);
        if (n != null && n.isObject()) {
            n = n.get("content");
        }
        if (n == null || n.isNull()) {
            return OptionalInt.empty();
        }
        if (!n.isTextual()) {
            throw new SafetensorsException(file, "field '" + field + "' must be a token or an object with \"content\"");
        }
        long[] ids = hf.encode(n.asText(), false, false).getIds();
        if (ids.length != 1) {
            throw new SafetensorsException(file, "field '" + field + "': '" + n.asText()
                    + "' is not one token of tokenizer.json");
        }
        return OptionalInt.of(Math.toIntExact(ids[0]));
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
