package dev.npukit.cli;

import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaWeights;
import dev.npukit.tensor.DType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The named random models of {@code bench decode --random}: Llama shapes with seeded BF16 weights,
 * generated fast enough for a 150M-parameter model to take seconds (two uniform values per 64
 * random bits, truncated to BF16), where {@link LlamaWeights#random}'s Gaussians take about 15 s.
 * Only the speed of the model is measured, so any weights of the right scale will do.
 */
final class RandomLlama {
    /** The names {@code --random} accepts, smallest first. */
    static final List<String> SIZES = List.of("tiny", "small", "150M");

    private RandomLlama() {
    }

    /**
     * The config of a named size: "tiny" is {@link LlamaConfig#tiny} with 2 layers (for tests),
     * "small" the demo's {@link LlamaConfig#small}, "150M" the shape of SmolLM-135M (hidden 576,
     * 30 layers, 9 query / 3 KV heads of 64, SwiGLU 1536, vocabulary 49152, tied embeddings:
     * 134.5M parameters).
     */
    static LlamaConfig config(String size) {
        return switch (size) {
            case "tiny" -> LlamaConfig.tiny(2);
            case "small" -> LlamaConfig.small();
            case "150M" -> new LlamaConfig(49152, 576, 1536, 30, 9, 3, 64, 1e-5f, 10000.0, 2048, true);
            default -> throw new IllegalArgumentException("size: unknown '" + size + "', expected one of " + SIZES);
        };
    }

    /**
     * Seeded BF16 weights for a config: norms 1, biases 0, every matrix uniform with the standard
     * deviation {@link LlamaWeights#random} gives it (1 for the embeddings, 1/sqrt(fan_in) for
     * linear layers, 4/sqrt(hidden) for an untied LM head).
     */
    static LlamaWeights weights(LlamaConfig c, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, float[]> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : LlamaWeights.expectedShapes(c).entrySet()) {
            long[] shape = e.getValue();
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            float[] v = new float[Math.toIntExact(n)];
            String name = e.getKey();
            if (name.endsWith(".bias")) {
                t.put(name, v);
                continue;
            }
            if (shape.length == 1) {
                Arrays.fill(v, 1f);
            } else {
                double std = name.contains("embed_tokens") ? 1.0
                        : name.equals("lm_head.weight") ? 4.0 / Math.sqrt(shape[1]) : 1.0 / Math.sqrt(shape[1]);
                fillUniform(v, r, (float) (Math.sqrt(3) * std));
            }
            t.put(name, v);
        }
        return LlamaWeights.of(c, DType.BF16, t);
    }

    /** Uniform in [-a, a) (standard deviation a / sqrt 3), each value truncated to a BF16. */
    private static void fillUniform(float[] v, SplittableRandom r, float a) {
        final float unit = 0x1p-24f;
        for (int i = 0; i < v.length; i += 2) {
            long bits = r.nextLong();
            v[i] = bf16((((int) (bits >>> 40)) * unit * 2 - 1) * a);
            if (i + 1 < v.length) {
                v[i + 1] = bf16((((int) (bits >>> 16) & 0xffffff) * unit * 2 - 1) * a);
            }
        }
    }

    private static float bf16(float x) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(x) & 0xffff0000);
    }
}
