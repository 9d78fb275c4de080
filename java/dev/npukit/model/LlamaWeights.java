package dev.npukit.model;

import dev.npukit.tensor.DType;
import dev.npukit.util.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The weights of a Llama decoder in host memory, under the Hugging Face tensor names
 * ({@code model.embed_tokens.weight}, {@code model.layers.N.self_attn.q_proj.weight}, ...,
 * {@code model.norm.weight}, {@code lm_head.weight}), each as floats plus the dtype the backend
 * stores it in. Built from a checkpoint directory or by seeded random initialisation; upload with
 * {@link LlamaModel}.
 */
public final class LlamaWeights {
    /** The per-layer linear projections, in the order of a layer's forward pass. */
    public static final List<String> PROJECTIONS = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    private final LlamaConfig config;
    private final DType dtype;
    private final Map<String, float[]> tensors;

    private LlamaWeights(LlamaConfig config, DType dtype, Map<String, float[]> tensors) {
        this.config = config;
        this.dtype = dtype;
        this.tensors = tensors;
    }

    /**
     * The model's sizes.
     *
     * @return the config these weights are for
     */
    public LlamaConfig config() {
        return config;
    }

    /**
     * The dtype the backend keeps the linear weights in.
     *
     * @return the checkpoint's dtype (F32, F16 or BF16), or the one given to {@link #random}
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * The floats of a tensor by its Hugging Face name.
     *
     * @param name e.g. {@code model.layers.0.self_attn.q_proj.weight}
     * @return the tensor's elements, row-major (the stored array, not a copy)
     * @throws IllegalArgumentException if there is no such tensor
     */
    public float[] get(String name) {
        float[] t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("name: no tensor '" + name + "'");
        }
        return t;
    }

    /**
     * Shape of every tensor a config needs, biases included when the config has them.
     *
     * @param c the config
     * @return shapes by Hugging Face name, in checkpoint order ([out, in] for linear layers)
     */
    public static Map<String, long[]> expectedShapes(LlamaConfig c) {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("model.embed_tokens.weight", new long[] {c.vocabSize(), c.hiddenSize()});
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            s.put(p + "input_layernorm.weight", new long[] {c.hiddenSize()});
            for (String proj : PROJECTIONS) {
                long[] shape = projectionShape(c, proj);
                s.put(p + proj + ".weight", shape);
                if (hasBias(c, proj)) {
                    s.put(p + proj + ".bias", new long[] {shape[0]});
                }
            }
            s.put(p + "post_attention_layernorm.weight", new long[] {c.hiddenSize()});
        }
        s.put("model.norm.weight", new long[] {c.hiddenSize()});
        if (!c.tieWordEmbeddings()) {
            s.put("lm_head.weight", new long[] {c.vocabSize(), c.hiddenSize()});
        }
        return s;
    }

    /** Whether a projection ("self_attn.q_proj", ...) has a bias under this config. */
    static boolean hasBias(LlamaConfig c, String proj) {
        return switch (proj) {
            case "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj" -> c.qkvBias();
            case "self_attn.o_proj" -> c.oBias();
            default -> false;
        };
    }

    /**
     * The shape of one projection's weight.
     *
     * @param c the config
     * @param proj one of {@link #PROJECTIONS}
     * @return [out, in]
     * @throws IllegalArgumentException if proj is not a projection name
     */
    public static long[] projectionShape(LlamaConfig c, String proj) {
        return switch (proj) {
            case "self_attn.q_proj" -> new long[] {c.qSize(), c.hiddenSize()};
            case "self_attn.k_proj", "self_attn.v_proj" -> new long[] {c.kvSize(), c.hiddenSize()};
            case "self_attn.o_proj" -> new long[] {c.hiddenSize(), c.qSize()};
            case "mlp.gate_proj", "mlp.up_proj" -> new long[] {c.intermediateSize(), c.hiddenSize()};
            case "mlp.down_proj" -> new long[] {c.hiddenSize(), c.intermediateSize()};
            default -> throw new IllegalArgumentException("proj: unknown projection '" + proj + "'");
        };
    }

    /**
     * Weights from tensors already in memory, e.g. converted from another format or generated.
     * Every tensor {@link #expectedShapes} lists must be there with its number of elements, and no
     * other; the map is copied, the arrays are not.
     *
     * @param config the sizes
     * @param dtype the dtype the backend keeps the linear weights in: F32, F16 or BF16 (the values
     *     are used as given, so they should already be representable in it)
     * @param tensors the floats of every tensor by Hugging Face name, row-major
     * @return the weights
     * @throws IllegalArgumentException if config is null, dtype is not a float type, or a tensor is
     *     missing, unexpected or of the wrong size
     */
    public static LlamaWeights of(LlamaConfig config, DType dtype, Map<String, float[]> tensors) {
        Check.arg(config != null, "config", "is null");
        Check.arg(dtype != null && dtype.isFloat(), "dtype", "must be F32, F16 or BF16, got %s", dtype);
        Check.arg(tensors != null, "tensors", "is null");
        Map<String, long[]> expected = expectedShapes(config);
        for (String name : tensors.keySet()) {
            Check.arg(expected.containsKey(name), "tensors", "'%s' is not a tensor of this config", name);
        }
        Map<String, float[]> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            float[] v = tensors.get(e.getKey());
            Check.arg(v != null, "tensors", "'%s' is missing", e.getKey());
            Check.arg(v.length == numel(e.getValue()), "tensors", "'%s' has %d elements, its shape %s needs %d",
                    e.getKey(), v.length, java.util.Arrays.toString(e.getValue()), numel(e.getValue()));
            t.put(e.getKey(), v);
        }
        return new LlamaWeights(config, dtype, t);
    }

    /**
     * Seeded random weights: embeddings N(0, 1), norms 1, biases N(0, 1/4), linear layers N(0, 1/fan_in) so
     * activations keep their scale through the layers, and an LM head scaled up so that the
     * next-token distributions are peaked enough for greedy and contrastive decoding to differ.
     *
     * @param config the sizes
     * @param seed the random seed; the same seed gives the same weights
     * @param dtype the linear weights' dtype (values are rounded to it): F32, F16 or BF16
     * @return the weights
     * @throws IllegalArgumentException if config is null or dtype is not a float type
     */
    public static LlamaWeights random(LlamaConfig config, long seed, DType dtype) {
        Check.arg(config != null, "config", "is null");
        Check.arg(dtype != null && dtype.isFloat(), "dtype", "must be F32, F16 or BF16, got %s", dtype);
        Random r = new Random(seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
            long[] shape = e.getValue();
            float[] v = new float[Math.toIntExact(numel(shape))];
            String name = e.getKey();
            if (name.endsWith(".bias")) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * 0.5);
                }
            } else if (shape.length == 1) {
                java.util.Arrays.fill(v, 1f);
            } else {
                double std = name.contains("embed_tokens") ? 1.0
                        : name.equals("lm_head.weight") ? 4.0 / Math.sqrt(shape[1]) : 1.0 / Math.sqrt(shape[1]);
                for (int i = 0; i < v.length; i++) {
                    v[i] = round(dtype, (float) (r.nextGaussian() * std));
                }
            }
            t.put(name, v);
        }
        return new LlamaWeights(config, dtype, t);
    }

    /**
     * Loads {@code config.json} and every {@code *.safetensors} file of a directory (one file or
     * shards). Every tensor the config needs must be present with its shape, in one float dtype;
     * the linear weights keep that dtype on the backend. Unused tensors (rotary caches) are ignored,
     * biases other than those the config declares are refused.
     *
     * @param dir the model directory
     * @return the weights, with the config read from config.json
     *
     * @throws SafetensorsException if a file is missing, unreadable or corrupt, a tensor is missing or has another
     *     shape, or the checkpoint holds something unsupported
     */
    public static LlamaWeights load(Path dir) {
        Path configFile = dir.resolve("config.json");
        if (!Files.isRegularFile(configFile)) {
            throw new SafetensorsException(configFile, "missing: a model directory needs config.json");
        }
        LlamaConfig config = LlamaConfig.read(configFile);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")
                    && !p.getFileName().toString().startsWith("adapter_")).sorted().toList();
        } catch (IOException e) {
            throw new SafetensorsException(dir, "cannot list: " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new SafetensorsException(dir, "no *.safetensors file in the model directory");
        }
        Map<String, long[]> expected = expectedShapes(config);
        Map<String, float[]> t = new LinkedHashMap<>();
        DType dtype = null;
        for (Path f : files) {
            try (Safetensors st = Safetensors.open(f)) {
                for (String name : st.entries().keySet()) {
                    long[] shape = expected.get(name);
                    if (shape == null && name.endsWith(".bias")) {
                        throw new SafetensorsException(f, "tensor '" + name + "': a bias the config does not declare"
                                + " (q/k/v biases with model_type qwen2 or attention_bias are supported)");
                    }
                    if (shape == null) {
                        continue;
                    }
                    DType d = st.dtype(name);
                    if (shape.length == 2) {
                        if (dtype != null && d != dtype) {
                            throw new SafetensorsException(f, "tensor '" + name + "' is " + d
                                    + " but earlier weights are " + dtype + "; one dtype per model");
                        }
                        dtype = d;
                    }
                    t.put(name, st.floats(name, shape));
                }
            }
        }
        if (config.tieWordEmbeddings() && t.containsKey("lm_head.weight")) {
            t.remove("lm_head.weight");
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected.keySet()) {
            if (!t.containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new SafetensorsException(dir, "missing tensors: " + String.join(", ",
                    missing.subList(0, Math.min(5, missing.size()))) + (missing.size() > 5 ? ", ..." : ""));
        }
        return new LlamaWeights(config, dtype, t);
    }

    /**
     * These weights with an adapter merged in, {@code W + scale · B·A} per adapted projection
     * (rounded to the weight dtype): the dense equivalent of running the adapter through BGMV.
     *
     * @param adapter an adapter for these weights' config
     * @return new weights; these are unchanged
     * @throws IllegalArgumentException if adapter is null
     */
    public LlamaWeights merged(LoraAdapter adapter) {
        Check.arg(adapter != null, "adapter", "is null");
        Map<String, float[]> t = new LinkedHashMap<>(tensors);
        for (int l = 0; l < config.numLayers(); l++) {
            for (String proj : PROJECTIONS) {
                LoraAdapter.Pair p = adapter.pair(l, proj);
                if (p == null) {
                    continue;
                }
                String name = "model.layers." + l + "." + proj + ".weight";
                long[] shape = projectionShape(config, proj);
                int out = (int) shape[0];
                int in = (int) shape[1];
                int r = p.rank();
                float[] w = t.get(name).clone();
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        double d = 0;
                        for (int k = 0; k < r; k++) {
                            d += (double) p.b()[o * r + k] * p.a()[k * in + i];
                        }
                        w[o * in + i] = round(dtype, (float) (w[o * in + i] + p.scale() * d));
                    }
                }
                t.put(name, w);
            }
        }
        return new LlamaWeights(config, dtype, t);
    }

    /**
     * Writes {@code config.json} and {@code model.safetensors} into a directory, which {@link #load} reads back.
     *
     * @param dir the model directory, created if missing
     * @throws IOException if a file cannot be written
     */
    public void save(Path dir) throws IOException {
        Map<String, Safetensors.TensorData> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            long[] shape = expectedShapes(config).get(e.getKey());
            out.put(e.getKey(), new Safetensors.TensorData(shape.length == 1 ? DType.F32 : dtype, shape, e.getValue()));
        }
        config.write(dir.resolve("config.json"));
        Safetensors.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    private static float round(DType dtype, float v) {
        return dev.npukit.tensor.HalfFloats.roundTo(dtype, v);
    }
}
