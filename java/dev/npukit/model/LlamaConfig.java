package dev.npukit.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.util.AtomicFiles;
import dev.npukit.util.Check;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Sizes of a Llama-architecture decoder, as in a Hugging Face {@code config.json}.
 *
 * @param vocabSize tokens in the vocabulary
 * @param hiddenSize model width
 * @param intermediateSize SwiGLU MLP width
 * @param numLayers decoder layers
 * @param numHeads query heads
 * @param numKvHeads key/value heads (grouped-query attention); divides numHeads
 * @param headDim per-head width (usually hiddenSize / numHeads)
 * @param rmsNormEps RMSNorm epsilon
 * @param ropeTheta RoPE base
 * @param maxPositions longest sequence the RoPE table covers
 * @param tieWordEmbeddings whether the LM head reuses the embedding matrix
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
        int numKvHeads, int headDim, float rmsNormEps, double ropeTheta, int maxPositions,
        boolean tieWordEmbeddings) {

    public LlamaConfig {
        Check.arg(vocabSize > 0, "vocabSize", "is %d, must be positive", vocabSize);
        Check.arg(hiddenSize > 0, "hiddenSize", "is %d, must be positive", hiddenSize);
        Check.arg(intermediateSize > 0, "intermediateSize", "is %d, must be positive", intermediateSize);
        Check.arg(numLayers > 0, "numLayers", "is %d, must be positive", numLayers);
        Check.arg(numHeads > 0, "numHeads", "is %d, must be positive", numHeads);
        Check.arg(numKvHeads > 0 && numHeads % numKvHeads == 0, "numKvHeads",
                "is %d, must be positive and divide numHeads %d", numKvHeads, numHeads);
        Check.arg(headDim > 0 && headDim % 2 == 0, "headDim", "is %d, must be even and positive", headDim);
        Check.arg(rmsNormEps > 0 && Float.isFinite(rmsNormEps), "rmsNormEps", "is %s, must be positive", rmsNormEps);
        Check.arg(ropeTheta > 1 && Double.isFinite(ropeTheta), "ropeTheta", "is %s, must be > 1", ropeTheta);
        Check.arg(maxPositions > 0, "maxPositions", "is %d, must be positive", maxPositions);
    }

    /** The demo's model: small enough to serve a RAG workload on two CPU cores in seconds. */
    public static LlamaConfig small() {
        return new LlamaConfig(2048, 256, 688, 4, 8, 2, 32, 1e-5f, 10000.0, 4096, false);
    }

    /** A tiny model for tests: every kernel and code path, little compute. */
    public static LlamaConfig tiny(int numLayers) {
        return new LlamaConfig(97, 32, 48, numLayers, 4, 2, 8, 1e-5f, 10000.0, 1024, false);
    }

    public int qSize() {
        return numHeads * headDim;
    }

    public int kvSize() {
        return numKvHeads * headDim;
    }

    /**
     * Reads {@code config.json}. Supported: model_type llama or mistral with hidden_act silu, no
     * rope_scaling, no attention bias; anything else is refused with a message saying what.
     */
    public static LlamaConfig read(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            // Jackson's message spans lines (the source, then the location): one line, with the line number.
            throw new SafetensorsException(file, "not JSON: " + e.getOriginalMessage().replaceAll("\\s*\\R\\s*", " ")
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot read config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file, "config is not a JSON object");
        }
        String type = root.path("model_type").asText("llama");
        if (!type.equals("llama") && !type.equals("mistral")) {
            throw new SafetensorsException(file, "model_type '" + type + "' is not supported (llama and mistral are)");
        }
        String act = root.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new SafetensorsException(file, "hidden_act '" + act + "' is not supported (silu is)");
        }
        if (root.hasNonNull("rope_scaling")) {
            throw new SafetensorsException(file, "rope_scaling is not supported (plain RoPE only)");
        }
        if (root.path("attention_bias").asBoolean(false) || root.path("mlp_bias").asBoolean(false)) {
            throw new SafetensorsException(file, "attention_bias / mlp_bias are not supported");
        }
        int hidden = required(file, root, "hidden_size");
        int heads = required(file, root, "num_attention_heads");
        // Absent or null means one KV head per query head (multi-head attention), as Hugging Face reads it.
        int kvHeads = root.hasNonNull("num_key_value_heads") ? required(file, root, "num_key_value_heads") : heads;
        int headDim = root.hasNonNull("head_dim") ? required(file, root, "head_dim") : hidden / Math.max(1, heads);
        try {
            return new LlamaConfig(required(file, root, "vocab_size"), hidden, required(file, root, "intermediate_size"),
                    required(file, root, "num_hidden_layers"), heads, kvHeads, headDim,
                    (float) root.path("rms_norm_eps").asDouble(1e-6), root.path("rope_theta").asDouble(10000.0),
                    root.hasNonNull("max_position_embeddings") ? required(file, root, "max_position_embeddings") : 2048,
                    root.path("tie_word_embeddings").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(file, "invalid config: " + e.getMessage(), e);
        }
    }

    private static int required(Path file, JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new SafetensorsException(file, "config field '" + key + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /** Writes a Hugging Face style {@code config.json} (via a temporary file). */
    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        n.put("model_type", "llama").put("hidden_act", "silu").put("vocab_size", vocabSize)
                .put("hidden_size", hiddenSize).put("intermediate_size", intermediateSize)
                .put("num_hidden_layers", numLayers).put("num_attention_heads", numHeads)
                .put("num_key_value_heads", numKvHeads).put("head_dim", headDim).put("rms_norm_eps", rmsNormEps)
                .put("rope_theta", ropeTheta).put("max_position_embeddings", maxPositions)
                .put("tie_word_embeddings", tieWordEmbeddings);
        n.putArray("architectures").add("LlamaForCausalLM");
        AtomicFiles.write(file, tmp -> json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n));
    }
}
