package dev.npukit.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.kernels.RopeTables;
import dev.npukit.util.AtomicFiles;
import dev.npukit.util.Check;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Sizes of a Llama-architecture decoder, as in a Hugging Face {@code config.json}: Llama (1 to
 * 3.x), Mistral and Qwen2/2.5, which differ only in RoPE scaling and attention biases. The
 * constructor refuses a component out of range with an {@link IllegalArgumentException} naming it.
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
 * @param ropeScaling how the rotary frequencies derive from ropeTheta ({@link RopeScaling#NONE} for plain RoPE)
 * @param qkvBias whether q_proj, k_proj and v_proj have biases (Qwen2; Llama with attention_bias),
 *     added after the projection, before RoPE
 * @param oBias whether o_proj has a bias (Llama with attention_bias)
 */
public record LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
        int numKvHeads, int headDim, float rmsNormEps, double ropeTheta, int maxPositions,
        boolean tieWordEmbeddings, RopeScaling ropeScaling, boolean qkvBias, boolean oBias) {

    /**
     * Checks every component.
     *
     * @param vocabSize tokens in the vocabulary, positive
     * @param hiddenSize model width, positive
     * @param intermediateSize SwiGLU MLP width, positive
     * @param numLayers decoder layers, positive
     * @param numHeads query heads, positive
     * @param numKvHeads key/value heads, dividing numHeads
     * @param headDim per-head width, even and positive
     * @param rmsNormEps RMSNorm epsilon, positive
     * @param ropeTheta RoPE base, greater than 1
     * @param maxPositions longest sequence the RoPE table covers, positive
     * @param tieWordEmbeddings whether the LM head reuses the embedding matrix
     * @param ropeScaling the rotary frequencies' scaling, not null
     * @param qkvBias whether q/k/v projections have biases
     * @param oBias whether o_proj has a bias
     * @throws IllegalArgumentException naming the first component out of range
     */
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
        Check.arg(ropeScaling != null, "ropeScaling", "is null (RopeScaling.NONE is plain RoPE)");
    }

    /**
     * A plain Llama: no RoPE scaling, no biases.
     *
     * @param vocabSize tokens in the vocabulary
     * @param hiddenSize model width
     * @param intermediateSize SwiGLU MLP width
     * @param numLayers decoder layers
     * @param numHeads query heads
     * @param numKvHeads key/value heads; divides numHeads
     * @param headDim per-head width, even
     * @param rmsNormEps RMSNorm epsilon
     * @param ropeTheta RoPE base
     * @param maxPositions longest sequence the RoPE table covers
     * @param tieWordEmbeddings whether the LM head reuses the embedding matrix
     * @throws IllegalArgumentException naming the first component that is out of range
     */
    public LlamaConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
            int numKvHeads, int headDim, float rmsNormEps, double ropeTheta, int maxPositions,
            boolean tieWordEmbeddings) {
        this(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, rmsNormEps, ropeTheta,
                maxPositions, tieWordEmbeddings, RopeScaling.NONE, false, false);
    }

    /**
     * The demo's model: small enough to serve a RAG workload on two CPU cores in seconds.
     *
     * @return 4 layers, hidden 256, 8 query / 2 KV heads of 32, SwiGLU 688, vocabulary 2048
     */
    public static LlamaConfig small() {
        return new LlamaConfig(2048, 256, 688, 4, 8, 2, 32, 1e-5f, 10000.0, 4096, false);
    }

    /**
     * A tiny model for tests: every kernel and code path, little compute.
     *
     * @param numLayers decoder layers, positive
     * @return hidden 32, 4 query / 2 KV heads of 8, SwiGLU 48, vocabulary 97, 1024 positions
     */
    public static LlamaConfig tiny(int numLayers) {
        return new LlamaConfig(97, 32, 48, numLayers, 4, 2, 8, 1e-5f, 10000.0, 1024, false);
    }

    /**
     * This config with another RoPE scaling.
     *
     * @param scaling the new scaling, not null
     * @return a copy with only the scaling changed
     */
    public LlamaConfig withRopeScaling(RopeScaling scaling) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                rmsNormEps, ropeTheta, maxPositions, tieWordEmbeddings, scaling, qkvBias, oBias);
    }

    /**
     * This config with the given attention biases and tying of the LM head to the embeddings.
     *
     * @param qkv whether q/k/v projections have biases
     * @param o whether o_proj has a bias
     * @param tie whether the LM head is the embedding matrix
     * @return a copy with only those three changed
     */
    public LlamaConfig withBiases(boolean qkv, boolean o, boolean tie) {
        return new LlamaConfig(vocabSize, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                rmsNormEps, ropeTheta, maxPositions, tie, ropeScaling, qkv, o);
    }

    /**
     * Width of the query projection.
     *
     * @return numHeads · headDim
     */
    public int qSize() {
        return numHeads * headDim;
    }

    /**
     * Width of the key (and of the value) projection.
     *
     * @return numKvHeads · headDim
     */
    public int kvSize() {
        return numKvHeads * headDim;
    }

    /**
     * The rotary table the attention kernels read, with this config's theta and scaling.
     *
     * @return the cos/sin table of {@link dev.npukit.kernels.RopeTables}, row-major [maxPositions, headDim]
     */
    public float[] ropeTable() {
        return RopeTables.cosSin(maxPositions, ropeScaling.invFreq(headDim, ropeTheta));
    }

    /**
     * Reads {@code config.json}. Supported: model_type llama, mistral or qwen2 with hidden_act silu;
     * rope_scaling default, linear, dynamic or llama3; q/k/v biases (qwen2) and attention_bias
     * (llama). Anything else is refused with a one-line message naming the field.
     *
     * @param file the config.json to read
     * @return the config it describes
     * @throws SafetensorsException if the file cannot be read, is not JSON, or holds a refused or invalid field
     */
    public static LlamaConfig read(Path file) {
        JsonNode root = readJson(file);
        String type = root.path("model_type").asText("llama");
        if (!type.equals("llama") && !type.equals("mistral") && !type.equals("qwen2")) {
            throw new SafetensorsException(file, "model_type '" + type + "' is not supported (llama, mistral and qwen2 are)");
        }
        String act = root.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new SafetensorsException(file, "hidden_act '" + act + "' is not supported (silu is)");
        }
        if (root.path("mlp_bias").asBoolean(false)) {
            throw new SafetensorsException(file, "mlp_bias is not supported (MLP projections without biases are)");
        }
        if (root.path("use_sliding_window").asBoolean(false)) {
            throw new SafetensorsException(file, "use_sliding_window is not supported (full attention is)");
        }
        if (root.hasNonNull("partial_rotary_factor") && root.get("partial_rotary_factor").asDouble() != 1.0) {
            throw new SafetensorsException(file, "partial_rotary_factor " + root.get("partial_rotary_factor")
                    + " is not supported (1.0, every dimension rotated, is)");
        }
        // Qwen2 always has q/k/v biases and no o_proj bias; Llama's attention_bias puts one on all four.
        boolean llamaBias = type.equals("llama") && root.path("attention_bias").asBoolean(false);
        boolean qkvBias = type.equals("qwen2") || llamaBias;
        int hidden = required(file, root, "hidden_size");
        int heads = required(file, root, "num_attention_heads");
        // Absent or null means one KV head per query head (multi-head attention), as Hugging Face reads it.
        int kvHeads = root.hasNonNull("num_key_value_heads") ? required(file, root, "num_key_value_heads") : heads;
        int headDim = root.hasNonNull("head_dim") ? required(file, root, "head_dim") : hidden / Math.max(1, heads);
        int maxPositions = root.hasNonNull("max_position_embeddings") ? required(file, root, "max_position_embeddings")
                : 2048;
        // Transformers 5 keeps theta and scaling together in rope_parameters; earlier versions use
        // rope_theta and rope_scaling.
        JsonNode ropeParams = root.get("rope_parameters");
        boolean v5 = ropeParams != null && ropeParams.isObject();
        String scalingField = v5 ? "rope_parameters" : "rope_scaling";
        JsonNode scaling = v5 ? ropeParams : root.get("rope_scaling");
        JsonNode thetaNode = v5 && ropeParams.has("rope_theta") ? ropeParams.get("rope_theta") : root.get("rope_theta");
        double theta = 10000.0;
        if (thetaNode != null && !thetaNode.isNull()) {
            if (!thetaNode.isNumber()) {
                throw new SafetensorsException(file, "config field 'rope_theta' is not a number");
            }
            theta = thetaNode.asDouble();
        }
        RopeScaling rope = ropeScaling(file, scalingField, scaling, maxPositions);
        try {
            return new LlamaConfig(required(file, root, "vocab_size"), hidden, required(file, root, "intermediate_size"),
                    required(file, root, "num_hidden_layers"), heads, kvHeads, headDim,
                    (float) root.path("rms_norm_eps").asDouble(1e-6), theta, maxPositions,
                    root.path("tie_word_embeddings").asBoolean(false), rope, qkvBias, llamaBias);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(file, "invalid config: " + e.getMessage(), e);
        }
    }

    /** The RoPE scaling of a rope_scaling (or rope_parameters) object, as Hugging Face reads it. */
    private static RopeScaling ropeScaling(Path file, String field, JsonNode node, int maxPositions) {
        if (node == null || node.isNull()) {
            return RopeScaling.NONE;
        }
        if (!node.isObject()) {
            throw new SafetensorsException(file, "config field '" + field + "' is not a JSON object");
        }
        // Hugging Face accepts both keys; rope_type wins.
        String type = node.hasNonNull("rope_type") ? node.get("rope_type").asText() : node.path("type").asText("default");
        try {
            return switch (type) {
                case "default" -> RopeScaling.NONE;
                case "linear" -> RopeScaling.linear(number(file, field, node, "factor"));
                case "dynamic" -> {
                    if (node.hasNonNull("original_max_position_embeddings")
                            && number(file, field, node, "original_max_position_embeddings") < maxPositions) {
                        throw new SafetensorsException(file, field + " type 'dynamic' with original_max_position_embeddings"
                                + " below max_position_embeddings is not supported (dynamic NTK within"
                                + " max_position_embeddings is)");
                    }
                    yield RopeScaling.dynamic(number(file, field, node, "factor"));
                }
                case "llama3" -> {
                    double original = number(file, field, node, "original_max_position_embeddings");
                    if (original != Math.rint(original) || original < 1 || original > Integer.MAX_VALUE) {
                        throw new SafetensorsException(file, "config field '" + field
                                + ".original_max_position_embeddings' is not a positive integer");
                    }
                    yield RopeScaling.llama3(number(file, field, node, "factor"), number(file, field, node,
                            "low_freq_factor"), number(file, field, node, "high_freq_factor"), (int) original);
                }
                default -> throw new SafetensorsException(file, field + " type '" + type
                        + "' is not supported (default, linear, dynamic and llama3 are)");
            };
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException(file, "invalid " + field + ": " + e.getMessage(), e);
        }
    }

    private static double number(Path file, String field, JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || !v.isNumber()) {
            throw new SafetensorsException(file, "config field '" + field + "." + key + "' is missing or not a number");
        }
        return v.asDouble();
    }

    /**
     * A JSON object from a model or adapter directory, every error one line naming the file.
     *
     * @throws SafetensorsException if the file cannot be read or is not a JSON object
     */
    static JsonNode readJson(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (JacksonException e) {
            // Jackson's message spans lines (the source, then the location): one line, with the line number.
            throw new SafetensorsException(file, "not JSON: " + e.getOriginalMessage().replaceAll("\\s*\\R\\s*", " ")
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafetensorsException(file, "not a JSON object");
        }
        return root;
    }

    private static int required(Path file, JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new SafetensorsException(file, "config field '" + key + "' is missing or not an integer");
        }
        return v.asInt();
    }

    /**
     * Writes a Hugging Face style {@code config.json} (via a temporary file) that {@link #read} reads back
     * as this config: model_type qwen2 for q/k/v biases alone, llama otherwise.
     *
     * @param file where to write (replaced if present)
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if oBias is set without qkvBias, which no architecture has
     */
    public void write(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        // Qwen2 is the architecture with q/k/v biases only; Llama's attention_bias covers o_proj too.
        boolean qwen = qkvBias && !oBias;
        Check.arg(qkvBias || !oBias, "oBias", "needs qkvBias: no architecture has an o_proj bias alone");
        n.put("model_type", qwen ? "qwen2" : "llama").put("hidden_act", "silu").put("vocab_size", vocabSize)
                .put("hidden_size", hiddenSize).put("intermediate_size", intermediateSize)
                .put("num_hidden_layers", numLayers).put("num_attention_heads", numHeads)
                .put("num_key_value_heads", numKvHeads).put("head_dim", headDim).put("rms_norm_eps", rmsNormEps)
                .put("rope_theta", ropeTheta).put("max_position_embeddings", maxPositions)
                .put("tie_word_embeddings", tieWordEmbeddings);
        if (!qwen) {
            n.put("attention_bias", oBias);
        }
        switch (ropeScaling.type()) {
            case DEFAULT -> n.putNull("rope_scaling");
            case LINEAR, DYNAMIC -> n.putObject("rope_scaling").put("rope_type", ropeScaling.type().name().toLowerCase())
                    .put("factor", ropeScaling.factor());
            case LLAMA3 -> n.putObject("rope_scaling").put("rope_type", "llama3").put("factor", ropeScaling.factor())
                    .put("low_freq_factor", ropeScaling.lowFreqFactor())
                    .put("high_freq_factor", ropeScaling.highFreqFactor())
                    .put("original_max_position_embeddings", ropeScaling.originalMaxPositions());
            default -> throw new IllegalStateException("unhandled rope scaling " + ropeScaling.type());
        }
        n.putArray("architectures").add(qwen ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
        AtomicFiles.write(file, tmp -> json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n));
    }
}
