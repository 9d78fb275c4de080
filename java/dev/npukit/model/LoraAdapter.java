package dev.npukit.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.tensor.DType;
import dev.npukit.util.AtomicFiles;
import dev.npukit.util.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A LoRA adapter in host memory: for some of the projections of some layers, A [rank, in] and
 * B [out, rank], with {@code W' = W + scale · B·A}, scale = alpha / rank (alpha / sqrt(rank) with
 * rsLoRA), rank and alpha per module. Read from and written to the PEFT layout:
 * {@code adapter_config.json} and {@code adapter_model.safetensors} with tensors named like
 * {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}.
 *
 * <p>The config is read as PEFT reads it: {@code target_modules} (a list of names or a regular
 * expression over the full module name, or "all-linear"), {@code exclude_modules},
 * {@code layers_to_transform} / {@code layers_pattern}, {@code rank_pattern} and
 * {@code alpha_pattern} per module, {@code use_rslora}. LoRA tensors of a module the config does
 * not target are refused with a message naming the module (PEFT would never have created them).
 * A targeted module without tensors keeps PEFT's initial B = 0: the base weights.
 *
 * <p>Supported: LoRA on q/k/v/o/gate/up/down projections. Not supported (refused with a message):
 * DoRA, bias training, fan_in_fan_out, LoRA on embeddings or the LM head.
 */
public final class LoraAdapter {
    private static final Pattern NAME = Pattern.compile(
            "^(?:base_model\\.model\\.)?model\\.layers\\.(\\d+)\\.(self_attn\\.[qkvo]_proj|mlp\\.(?:gate|up|down)_proj)"
                    + "\\.lora_([AB])(?:\\.default)?\\.weight$");

    /**
     * A and B of one projection with their rank and scale.
     *
     * @param a A, row-major [rank, in]
     * @param b B, row-major [out, rank]
     * @param rank the module's rank ({@code rank_pattern}, else {@code r})
     * @param alpha the module's alpha ({@code alpha_pattern}, else {@code lora_alpha})
     * @param scale the factor on B·A: alpha / rank, or alpha / sqrt(rank) with rsLoRA
     */
    public record Pair(float[] a, float[] b, int rank, float alpha, float scale) {
    }

    private final int rank;
    private final float alpha;
    private final boolean rsLora;
    private final Map<String, Pair> pairs;

    private LoraAdapter(int rank, float alpha, boolean rsLora, Map<String, Pair> pairs) {
        this.rank = rank;
        this.alpha = alpha;
        this.rsLora = rsLora;
        this.pairs = pairs;
    }

    /**
     * The config's default rank.
     *
     * @return {@code r}; {@link Pair#rank()} is each module's own
     */
    public int rank() {
        return rank;
    }

    /**
     * The config's default alpha.
     *
     * @return {@code lora_alpha}; {@link Pair#alpha()} is each module's own
     */
    public float alpha() {
        return alpha;
    }

    /**
     * The default factor on B·A.
     *
     * @return alpha / rank, or alpha / sqrt(rank) with rsLoRA; {@link Pair#scale()} is each module's own
     */
    public float scale() {
        return scale(alpha, rank, rsLora);
    }

    /**
     * The largest rank of any module.
     *
     * @return the width BGMV pads this adapter's modules to
     */
    public int maxRank() {
        return pairs.values().stream().mapToInt(Pair::rank).max().orElse(rank);
    }

    private static float scale(double alpha, int rank, boolean rsLora) {
        return (float) (rsLora ? alpha / Math.sqrt(rank) : alpha / rank);
    }

    /**
     * A and B of one projection of one layer.
     *
     * @param layer layer index
     * @param projection one of {@link LlamaWeights#PROJECTIONS}
     * @return the pair, or null when the adapter leaves the module alone
     */
    public Pair pair(int layer, String projection) {
        return pairs.get(key(layer, projection));
    }

    static String key(int layer, String projection) {
        return "layers." + layer + "." + projection;
    }

    /**
     * A seeded random adapter of one rank and alpha on the given projections of every layer:
     * A ~ N(0, 1/in) and B ~ N(0, std²) (PEFT starts B at zero; a non-zero B makes the adapter
     * change the model).
     *
     * @param c the model's config
     * @param rank the rank of every module, positive
     * @param alpha the alpha of every module (scale = alpha / rank)
     * @param seed the random seed
     * @param bStd the standard deviation of B's elements
     * @param projections the projections to adapt, in every layer (names of {@link LlamaWeights#PROJECTIONS})
     * @return the adapter
     * @throws IllegalArgumentException if rank is not positive or no projection is given
     */
    public static LoraAdapter random(LlamaConfig c, int rank, float alpha, long seed, float bStd, String... projections) {
        Check.arg(rank > 0, "rank", "is %d, must be positive", rank);
        Check.arg(projections.length > 0, "projections", "needs at least one projection");
        Random r = new Random(seed);
        Map<String, Pair> pairs = new LinkedHashMap<>();
        for (int l = 0; l < c.numLayers(); l++) {
            for (String p : projections) {
                long[] shape = LlamaWeights.projectionShape(c, p);
                int out = (int) shape[0];
                int in = (int) shape[1];
                float[] a = new float[rank * in];
                float[] b = new float[out * rank];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) (r.nextGaussian() / Math.sqrt(in));
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) (r.nextGaussian() * bStd);
                }
                pairs.put(key(l, p), new Pair(a, b, rank, alpha, scale(alpha, rank, false)));
            }
        }
        return new LoraAdapter(rank, alpha, false, pairs);
    }

    /**
     * Reads a PEFT adapter directory and checks it against the model's config.
     *
     * @param dir the adapter directory
     * @param c the base model's config
     * @return the adapter
     *
     * @throws SafetensorsException with a one-line message naming the file and field, module or tensor, if a file
     *     is missing or unreadable, the config holds an unsupported or invalid field, a tensor is not a LoRA weight
     *     of a module the config targets, or a shape does not match
     */
    public static LoraAdapter load(Path dir, LlamaConfig c) {
        Path cfgFile = dir.resolve("adapter_config.json");
        Path file = dir.resolve("adapter_model.safetensors");
        if (!Files.isRegularFile(cfgFile)) {
            throw new SafetensorsException(cfgFile, "missing: an adapter directory needs adapter_config.json");
        }
        JsonNode cfg = LlamaConfig.readJson(cfgFile);
        String type = cfg.path("peft_type").asText("LORA");
        if (!type.equals("LORA")) {
            throw new SafetensorsException(cfgFile, "peft_type '" + type + "' is not supported (LORA is)");
        }
        if (!cfg.path("r").isIntegralNumber() || !cfg.path("r").canConvertToInt() || cfg.path("r").asInt() <= 0) {
            throw new SafetensorsException(cfgFile, "field 'r' (the rank) is missing or not a positive integer");
        }
        if (!cfg.path("lora_alpha").isNumber()) {
            throw new SafetensorsException(cfgFile, "field 'lora_alpha' is missing or not a number");
        }
        if (cfg.path("use_dora").asBoolean(false)) {
            throw new SafetensorsException(cfgFile, "use_dora: DoRA adapters are not supported");
        }
        if (cfg.path("fan_in_fan_out").asBoolean(false)) {
            throw new SafetensorsException(cfgFile, "fan_in_fan_out adapters are not supported");
        }
        if (cfg.path("lora_bias").asBoolean(false)) {
            throw new SafetensorsException(cfgFile, "lora_bias is not supported (LoRA without a bias on B is)");
        }
        String bias = cfg.path("bias").asText("none");
        if (!bias.equals("none")) {
            throw new SafetensorsException(cfgFile, "bias '" + bias + "' is not supported (none is)");
        }
        LoraTargets targets = LoraTargets.read(cfgFile, cfg);
        int rank = cfg.get("r").asInt();
        float alpha = (float) cfg.get("lora_alpha").asDouble();
        boolean rs = cfg.path("use_rslora").asBoolean(false);
        if (!Files.isRegularFile(file)) {
            throw new SafetensorsException(file, "missing: an adapter directory needs adapter_model.safetensors");
        }
        Map<String, float[]> as = new LinkedHashMap<>();
        Map<String, float[]> bs = new LinkedHashMap<>();
        Map<String, Integer> ranks = new LinkedHashMap<>();
        Map<String, Float> alphas = new LinkedHashMap<>();
        try (Safetensors st = Safetensors.open(file)) {
            for (String name : st.entries().keySet()) {
                Matcher m = NAME.matcher(name);
                if (!m.matches()) {
                    throw new SafetensorsException(file, "tensor '" + name + "' is not a supported LoRA weight "
                            + "(LoRA A/B of q/k/v/o/gate/up/down projections are)");
                }
                int layer = Integer.parseInt(m.group(1));
                if (layer >= c.numLayers()) {
                    throw new SafetensorsException(file, "tensor '" + name + "': layer " + layer + " but the model has "
                            + c.numLayers());
                }
                String module = "model.layers." + layer + "." + m.group(2);
                if (!targets.targets(module)) {
                    throw new SafetensorsException(file, "tensor '" + name + "': module " + module
                            + " is not targeted by target_modules / layers_to_transform / exclude_modules in "
                            + cfgFile.getFileName());
                }
                int r = targets.rank(module, rank);
                long[] shape = LlamaWeights.projectionShape(c, m.group(2));
                String k = key(layer, m.group(2));
                ranks.put(k, r);
                alphas.put(k, (float) targets.alpha(module, alpha));
                if (m.group(3).equals("A")) {
                    as.put(k, st.floats(name, r, shape[1]));
                } else {
                    bs.put(k, st.floats(name, shape[0], r));
                }
            }
        }
        Map<String, Pair> pairs = new LinkedHashMap<>();
        for (String k : as.keySet()) {
            if (!bs.containsKey(k)) {
                throw new SafetensorsException(file, k + " has lora_A but no lora_B");
            }
            int r = ranks.get(k);
            float a = alphas.get(k);
            pairs.put(k, new Pair(as.get(k), bs.get(k), r, a, scale(a, r, rs)));
        }
        for (String k : bs.keySet()) {
            if (!as.containsKey(k)) {
                throw new SafetensorsException(file, k + " has lora_B but no lora_A");
            }
        }
        if (pairs.isEmpty()) {
            throw new SafetensorsException(file, "no LoRA weights");
        }
        return new LoraAdapter(rank, alpha, rs, pairs);
    }

    /**
     * Writes the adapter in the PEFT layout (F32 tensors): target_modules lists the adapted
     * projections; a module whose rank or alpha differs from the adapter's default gets an
     * entry under its full name in rank_pattern or alpha_pattern.
     *
     * @param dir the adapter directory, created if missing
     * @param c the base model's config (for the tensor shapes)
     * @throws IOException if a file cannot be written
     */
    public void save(Path dir, LlamaConfig c) throws IOException {
        Map<String, Safetensors.TensorData> out = new LinkedHashMap<>();
        java.util.Set<String> targets = new java.util.TreeSet<>();
        ObjectMapper json = new ObjectMapper();
        ObjectNode n = json.createObjectNode();
        ObjectNode rankPattern = json.createObjectNode();
        ObjectNode alphaPattern = json.createObjectNode();
        for (Map.Entry<String, Pair> e : pairs.entrySet()) {
            String projection = e.getKey().substring(e.getKey().indexOf('.', "layers.".length()) + 1);
            targets.add(projection.substring(projection.indexOf('.') + 1));
            long[] shape = LlamaWeights.projectionShape(c, projection);
            Pair p = e.getValue();
            String module = "model." + e.getKey();
            if (p.rank() != rank) {
                rankPattern.put(module, p.rank());
            }
            if (p.alpha() != alpha) {
                alphaPattern.put(module, p.alpha());
            }
            String base = "base_model.model." + module;
            out.put(base + ".lora_A.weight", new Safetensors.TensorData(DType.F32, new long[] {p.rank(), shape[1]}, p.a()));
            out.put(base + ".lora_B.weight", new Safetensors.TensorData(DType.F32, new long[] {shape[0], p.rank()}, p.b()));
        }
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("adapter_model.safetensors"), out, Map.of("format", "pt"));
        n.put("peft_type", "LORA").put("r", rank).put("lora_alpha", alpha).put("use_rslora", rsLora)
                .put("bias", "none").put("fan_in_fan_out", false);
        targets.forEach(n.putArray("target_modules")::add);
        n.set("rank_pattern", rankPattern);
        n.set("alpha_pattern", alphaPattern);
        AtomicFiles.write(dir.resolve("adapter_config.json"),
                tmp -> json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n));
    }
}
