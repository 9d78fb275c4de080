package dev.npukit.model;

/**
 * A direct, double-precision transcription of Hugging Face's Llama / Qwen2 forward pass
 * ({@code modeling_llama.py}, {@code modeling_qwen2.py}, {@code modeling_rope_utils.py}) for one
 * sequence, independent of the model's code: the oracle the model's logits are compared with.
 */
final class HfReference {
    private HfReference() {
    }

    /**
     * {@code inv_freq} as Hugging Face's rope init functions compute it for a sequence of
     * {@code seqLen} tokens, written from their definitions.
     */
    static double[] invFreq(LlamaConfig c, int seqLen) {
        int dim = c.headDim();
        double base = c.ropeTheta();
        RopeScaling s = c.ropeScaling();
        if (s.type() == RopeScaling.Type.DYNAMIC) {
            // _compute_dynamic_ntk_parameters: seq_len = max(seq_len, max_position_embeddings)
            double len = Math.max(seqLen, c.maxPositions());
            base = base * Math.pow(s.factor() * len / c.maxPositions() - (s.factor() - 1), dim / (dim - 2.0));
        }
        double[] inv = new double[dim / 2];
        for (int j = 0; j < dim; j += 2) {
            inv[j / 2] = 1.0 / Math.pow(base, (double) j / dim);
        }
        if (s.type() == RopeScaling.Type.LINEAR) {
            for (int i = 0; i < inv.length; i++) {
                inv[i] = inv[i] / s.factor();
            }
        } else if (s.type() == RopeScaling.Type.LLAMA3) {
            // _compute_llama3_parameters, element by element
            double factor = s.factor();
            double oldContextLen = s.originalMaxPositions();
            double lowFreqWavelen = oldContextLen / s.lowFreqFactor();
            double highFreqWavelen = oldContextLen / s.highFreqFactor();
            for (int i = 0; i < inv.length; i++) {
                double wavelen = 2 * Math.PI / inv[i];
                double llama = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
                double smoothFactor = (oldContextLen / wavelen - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                double smoothed = (1 - smoothFactor) * llama / factor + smoothFactor * llama;
                boolean isMediumFreq = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
                inv[i] = isMediumFreq ? smoothed : llama;
            }
        }
        return inv;
    }

    /** Logits of the last token of {@code tokens} (positions 0..n-1), Hugging Face semantics. */
    static float[] lastLogits(LlamaWeights w, int[] tokens) {
        return lastLogits(w, w.config(), tokens);
    }

    /** As {@link #lastLogits(LlamaWeights, int[])} under another config (e.g. one that ignores the biases). */
    static float[] lastLogits(LlamaWeights w, LlamaConfig c, int[] tokens) {
        int n = tokens.length;
        int hs = c.hiddenSize();
        int hd = c.headDim();
        double[] inv = invFreq(c, n);
        double[][] h = new double[n][hs];
        float[] embed = w.get("model.embed_tokens.weight");
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < hs; i++) {
                h[t][i] = embed[tokens[t] * hs + i];
            }
        }
        for (int l = 0; l < c.numLayers(); l++) {
            String p = "model.layers." + l + ".";
            double[][] x = norm(h, w.get(p + "input_layernorm.weight"), c.rmsNormEps());
            double[][] q = linear(x, w, p + "self_attn.q_proj", c.qkvBias());
            double[][] k = linear(x, w, p + "self_attn.k_proj", c.qkvBias());
            double[][] v = linear(x, w, p + "self_attn.v_proj", c.qkvBias());
            for (int t = 0; t < n; t++) {
                rotate(q[t], c.numHeads(), hd, t, inv);
                rotate(k[t], c.numKvHeads(), hd, t, inv);
            }
            double[][] attn = new double[n][c.qSize()];
            int group = c.numHeads() / c.numKvHeads();
            for (int head = 0; head < c.numHeads(); head++) {
                int kvh = head / group;
                for (int t = 0; t < n; t++) {
                    double[] scores = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double d = 0;
                        for (int i = 0; i < hd; i++) {
                            d += q[t][head * hd + i] * k[j][kvh * hd + i];
                        }
                        scores[j] = d / Math.sqrt(hd);
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int i = 0; i < hd; i++) {
                            attn[t][head * hd + i] += scores[j] / sum * v[j][kvh * hd + i];
                        }
                    }
                }
            }
            double[][] o = linear(attn, w, p + "self_attn.o_proj", c.oBias());
            add(h, o);
            double[][] y = norm(h, w.get(p + "post_attention_layernorm.weight"), c.rmsNormEps());
            double[][] gate = linear(y, w, p + "mlp.gate_proj", false);
            double[][] up = linear(y, w, p + "mlp.up_proj", false);
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < gate[t].length; i++) {
                    double g = gate[t][i];
                    gate[t][i] = g / (1 + Math.exp(-g)) * up[t][i];
                }
            }
            add(h, linear(gate, w, p + "mlp.down_proj", false));
        }
        double[][] last = norm(new double[][] {h[n - 1]}, w.get("model.norm.weight"), c.rmsNormEps());
        float[] head = c.tieWordEmbeddings() ? embed : w.get("lm_head.weight");
        float[] logits = new float[c.vocabSize()];
        for (int o = 0; o < logits.length; o++) {
            double d = 0;
            for (int i = 0; i < hs; i++) {
                d += head[o * hs + i] * last[0][i];
            }
            logits[o] = (float) d;
        }
        return logits;
    }

    /** apply_rotary_pos_emb with rotate_half: x·cos + rotate_half(x)·sin, cos/sin = cat(freqs, freqs). */
    private static void rotate(double[] x, int heads, int hd, int pos, double[] inv) {
        int half = hd / 2;
        for (int h = 0; h < heads; h++) {
            double[] r = new double[hd];
            for (int i = 0; i < hd; i++) {
                double angle = pos * inv[i % half];
                double rotated = i < half ? -x[h * hd + i + half] : x[h * hd + i - half];
                r[i] = x[h * hd + i] * Math.cos(angle) + rotated * Math.sin(angle);
            }
            System.arraycopy(r, 0, x, h * hd, hd);
        }
    }

    private static double[][] linear(double[][] x, LlamaWeights w, String module, boolean bias) {
        float[] weight = w.get(module + ".weight");
        float[] b = bias ? w.get(module + ".bias") : null;
        int in = x[0].length;
        int out = weight.length / in;
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double d = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    d += weight[o * in + i] * x[t][i];
                }
                y[t][o] = d;
            }
        }
        return y;
    }

    private static double[][] norm(double[][] x, float[] weight, double eps) {
        double[][] y = new double[x.length][];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (double v : x[t]) {
                ss += v * v;
            }
            double inv = 1 / Math.sqrt(ss / x[t].length + eps);
            y[t] = new double[x[t].length];
            for (int i = 0; i < x[t].length; i++) {
                y[t][i] = weight[i] * (x[t][i] * inv);
            }
        }
        return y;
    }

    private static void add(double[][] h, double[][] d) {
        for (int t = 0; t < h.length; t++) {
            for (int i = 0; i < h[t].length; i++) {
                h[t][i] += d[t][i];
            }
        }
    }
}
