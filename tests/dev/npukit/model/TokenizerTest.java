package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Tokenizer} on a tokenizer.json written by {@link TokenizerFixture}: encode adds BOS as the
 * post-processor says, decode drops special tokens, the text round-trips; BOS/EOS ids come from
 * generation_config.json, else tokenizer_config.json; broken files are one-line errors naming the file.
 */
class TokenizerTest {
    @TempDir
    Path dir;

    @Test
    void encodeDecodeRoundTripAndSpecialIds() throws Exception {
        TokenizerFixture.write(dir, 97);
        try (Tokenizer tok = Tokenizer.load(dir)) {
            int[] ids = tok.encode("the cat sat on the mat");
            assertArrayEquals(new int[] {1, 3, 5, 7, 8, 3, 9}, ids);
            assertEquals("the cat sat on the mat", tok.decode(ids));
            assertArrayEquals(new int[] {1, 0, 42}, tok.encode("zebra t42"), "unknown word and a filler word");
            assertEquals("hello world t96", tok.decode(new int[] {13, 2, 14, 96, 2}), "EOS is left out");
            assertEquals(OptionalInt.of(1), tok.bosId());
            assertArrayEquals(new int[] {2}, tok.eosIds());
        }
        assertEquals("true", System.getProperty("ai.djl.offline"), "DJL runs offline");
        // generation_config.json's list wins; without it, tokenizer_config.json names the tokens.
        Files.writeString(dir.resolve("generation_config.json"), "{\"bos_token_id\": 1, \"eos_token_id\": [2, 11]}");
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertArrayEquals(new int[] {2, 11}, tok.eosIds());
        }
        Files.delete(dir.resolve("generation_config.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"content\": \"<s>\"}, \"eos_token\": \"hello\"}");
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertEquals(OptionalInt.of(1), tok.bosId());
            assertArrayEquals(new int[] {13}, tok.eosIds());
        }
        Files.delete(dir.resolve("tokenizer_config.json"));
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertEquals(OptionalInt.empty(), tok.bosId());
            assertArrayEquals(new int[0], tok.eosIds());
        }
    }

    /** A truncation or padding declared in tokenizer.json does not apply, as with tokenizer(text) in Python. */
    @Test
    void neverTruncatesOrPads() throws Exception {
        TokenizerFixture.write(dir, 97);
        Path file = dir.resolve("tokenizer.json");
        String json = Files.readString(file).replaceFirst("\"truncation\" : null",
                "\"truncation\": {\"direction\": \"Right\", \"max_length\": 3, \"strategy\": \"LongestFirst\", \"stride\": 0}")
                .replaceFirst("\"padding\" : null", "\"padding\": {\"strategy\": {\"Fixed\": 12}, \"direction\": \"Right\","
                        + " \"pad_to_multiple_of\": null, \"pad_id\": 0, \"pad_type_id\": 0, \"pad_token\": \"<unk>\"}");
        Files.writeString(file, json);
        assertTrue(json.contains("\"max_length\": 3") && json.contains("Fixed"), json.substring(0, 200));
        try (Tokenizer tok = Tokenizer.load(dir)) {
            assertArrayEquals(new int[] {1, 3, 5, 7, 8, 3, 9}, tok.encode("the cat sat on the mat"));
        }
    }

    /** clean_up_tokenization_spaces as transformers applies it in decode; absent means false. */
    @Test
    void cleanUpTokenizationSpaces() throws Exception {
        TokenizerFixture.write(dir, 97);
        String text = "hello world . what ?";
        for (String setting : new String[] {"true", "false", null}) {
            Files.writeString(dir.resolve("tokenizer_config.json"), setting == null ? "{}"
                    : "{\"clean_up_tokenization_spaces\": " + setting + "}");
            try (Tokenizer tok = Tokenizer.load(dir)) {
                assertEquals("true".equals(setting) ? "hello world. what?" : text, tok.decode(tok.encode(text)), setting);
            }
        }
    }

    @Test
    void brokenFilesAreOneLineErrorsNamingTheFile() throws Exception {
        refused("tokenizer.json: missing");
        TokenizerFixture.write(dir, 97);
        String good = Files.readString(dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer.json"), good.replace("\"WordLevel\"", "\"NoSuchModel\""));
        refused("tokenizer.json: not a tokenizer");
        Files.writeString(dir.resolve("tokenizer.json"), good);
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": \"x\"}");
        refused("generation_config.json: field 'eos_token_id'");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\":\n");
        refused("generation_config.json: not JSON");
        Files.delete(dir.resolve("generation_config.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"two words\"}");
        refused("tokenizer_config.json: field 'eos_token'");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"clean_up_tokenization_spaces\": \"yes\"}");
        refused("tokenizer_config.json: field 'clean_up_tokenization_spaces'");
    }

    private void refused(String fragment) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Tokenizer.load(dir).close(), fragment);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
}
