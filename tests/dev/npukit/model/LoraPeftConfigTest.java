package dev.npukit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.check.KernelCheck;
import dev.npukit.backend.Backends;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEFT adapter configs read as PEFT reads them: target_modules as a list (name or ".name" suffix)
 * or a full-match regex, exclude_modules, layers_to_transform, rank_pattern and alpha_pattern per
 * module (scale alpha/r, rsLoRA alpha/sqrt(r)); tensors of untargeted modules are refused naming
 * the module; modules of differing ranks run through one BGMV and equal the merged weights.
 */
class LoraPeftConfigTest {
    @TempDir
    Path dir;

    static final LlamaConfig CONFIG = LlamaConfig.tiny(2);

    /** Writes an adapter: the given config fields and random A/B for each "layer:projection" at its rank. */
    static void writeAdapter(Path d, ObjectNode cfg, Map<String, Integer> modules) throws IOException {
        Random r = new Random(modules.size());
        Map<String, Safetensors.TensorData> t = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> m : modules.entrySet()) {
            String[] lp = m.getKey().split(":");
            long[] shape = LlamaWeights.projectionShape(CONFIG, lp[1]);
            int rank = m.getValue();
            float[] a = new float[(int) (rank * shape[1])];
            float[] b = new float[(int) (shape[0] * rank)];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) (r.nextGaussian() / Math.sqrt(shape[1]));
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (float) (r.nextGaussian() * 0.3);
            }
            String base = "base_model.model.model.layers." + lp[0] + "." + lp[1];
            t.put(base + ".lora_A.weight", new Safetensors.TensorData(DType.F32, new long[] {rank, shape[1]}, a));
            t.put(base + ".lora_B.weight", new Safetensors.TensorData(DType.F32, new long[] {shape[0], rank}, b));
        }
        Files.createDirectories(d);
        Safetensors.write(d.resolve("adapter_model.safetensors"), t, Map.of("format", "pt"));
        new ObjectMapper().writeValue(d.resolve("adapter_config.json").toFile(), cfg);
    }

    static ObjectNode cfg(int r, double alpha) {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("peft_type", "LORA").put("r", r).put("lora_alpha", alpha).put("bias", "none");
        return n;
    }

    @Test
    void rankAndAlphaPatternsGiveEachModuleItsScale() throws Exception {
        ObjectNode c = cfg(4, 8);
        c.put("target_modules", ".*\\.(q_proj|v_proj|down_proj)");
        c.putObject("rank_pattern").put("down_proj", 2).put("model.layers.1.self_attn.q_proj", 6);
        c.putObject("alpha_pattern").put("v_proj", 3.0).put("layers\\.1\\..*", 12.0);
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("0:self_attn.q_proj", 4);
        m.put("1:self_attn.q_proj", 6);
        m.put("0:self_attn.v_proj", 4);
        m.put("1:self_attn.v_proj", 4);
        m.put("0:mlp.down_proj", 2);
        m.put("1:mlp.down_proj", 2);
        writeAdapter(dir, c, m);
        LoraAdapter a = LoraAdapter.load(dir, CONFIG);
        // PEFT: rank = rank_pattern[first key matching], alpha likewise, scale = alpha / rank.
        expect(a, 0, "self_attn.q_proj", 4, 8 / 4f);
        expect(a, 1, "self_attn.q_proj", 6, 12 / 6f);
        expect(a, 0, "self_attn.v_proj", 4, 3 / 4f);
        expect(a, 1, "self_attn.v_proj", 4, 3 / 4f); // v_proj comes first in alpha_pattern
        expect(a, 0, "mlp.down_proj", 2, 8 / 2f);
        expect(a, 1, "mlp.down_proj", 2, 12 / 2f);
        assertNull(a.pair(0, "self_attn.k_proj"));
        assertEquals(6, a.maxRank());

        c.put("use_rslora", true);
        writeAdapter(dir, c, m);
        LoraAdapter rs = LoraAdapter.load(dir, CONFIG);
        expect(rs, 1, "self_attn.q_proj", 6, (float) (12 / Math.sqrt(6)));
        expect(rs, 0, "mlp.down_proj", 2, (float) (8 / Math.sqrt(2)));

        // Differing ranks through one BGMV (padded to the largest) equal the merged dense weights,
        // beside a second adapter of another rank in the same model.
        LlamaWeights base = LlamaWeights.random(CONFIG, 2, DType.F32);
        LoraAdapter other = LoraAdapter.random(CONFIG, 3, 5f, 8, 0.3f, "self_attn.q_proj", "mlp.down_proj");
        int[] prompt = LlamaModelTest.tokens(new Random(5), 11, CONFIG.vocabSize());
        float[] merged = logits(base.merged(rs), List.of(), -1, prompt);
        float[] merged2 = logits(base.merged(other), List.of(), -1, prompt);
        float[] plain = logits(base, List.of(), -1, prompt);
        assertTrue(KernelCheck.relativeError(merged, plain, DType.F32) > 1e-2, "the adapter changes the model");
        assertTrue(KernelCheck.relativeError(logits(base, List.of(other, rs), 1, prompt), merged, DType.F32) < LlamaModelTest.BOUND);
        assertTrue(KernelCheck.relativeError(logits(base, List.of(other, rs), 0, prompt), merged2, DType.F32) < LlamaModelTest.BOUND);

        // save writes the per-module ranks and alphas back as patterns under full names.
        rs.save(dir.resolve("again"), CONFIG);
        LoraAdapter back = LoraAdapter.load(dir.resolve("again"), CONFIG);
        expect(back, 1, "self_attn.q_proj", 6, (float) (12 / Math.sqrt(6)));
        expect(back, 1, "mlp.down_proj", 2, (float) (12 / Math.sqrt(2)));
    }

    @Test
    void targetModulesListLayersToTransformAndExcludes() throws Exception {
        ObjectNode c = cfg(4, 4);
        c.putArray("target_modules").add("q_proj").add("self_attn.v_proj");
        c.putArray("layers_to_transform").add(1);
        c.put("layers_pattern", "layers");
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("1:self_attn.q_proj", 4);
        m.put("1:self_attn.v_proj", 4);
        writeAdapter(dir, c, m);
        LoraAdapter a = LoraAdapter.load(dir, CONFIG);
        assertNotNull(a.pair(1, "self_attn.q_proj"));
        assertNotNull(a.pair(1, "self_attn.v_proj"));

        // A layer outside layers_to_transform: PEFT never created the module's LoRA.
        m.put("0:self_attn.q_proj", 4);
        writeAdapter(dir, c, m);
        refused(dir, "module model.layers.0.self_attn.q_proj is not targeted");
        c.put("layers_to_transform", 0);
        writeAdapter(dir, c, Map.of("0:self_attn.q_proj", 4));
        assertNotNull(LoraAdapter.load(dir, CONFIG).pair(0, "self_attn.q_proj"));

        // A module no entry names ("proj" is not a whole name segment).
        ObjectNode c2 = cfg(4, 4);
        c2.putArray("target_modules").add("proj").add("up_proj");
        writeAdapter(dir, c2, Map.of("0:mlp.down_proj", 4));
        refused(dir, "module model.layers.0.mlp.down_proj is not targeted");

        // A regex must match the whole name.
        ObjectNode c3 = cfg(4, 4);
        c3.put("target_modules", "q_proj");
        writeAdapter(dir, c3, Map.of("0:self_attn.q_proj", 4));
        refused(dir, "module model.layers.0.self_attn.q_proj is not targeted");

        // exclude_modules removes what target_modules would take; all-linear takes every projection.
        ObjectNode c4 = cfg(4, 4);
        c4.put("target_modules", "all-linear");
        c4.putArray("exclude_modules").add("model.layers.1.mlp.up_proj");
        writeAdapter(dir, c4, Map.of("1:mlp.gate_proj", 4, "0:mlp.up_proj", 4));
        assertNotNull(LoraAdapter.load(dir, CONFIG).pair(1, "mlp.gate_proj"));
        writeAdapter(dir, c4, Map.of("1:mlp.up_proj", 4));
        refused(dir, "module model.layers.1.mlp.up_proj is not targeted");
    }

    @Test
    void badAdapterConfigsAreOneLineNamingTheField() throws Exception {
        Object[][] cases = {
            {"{\"r\": 4, \"lora_alpha\": 8, \"target_modules\": 7}", "target_modules"},
            {"{\"r\": 4, \"lora_alpha\": 8}", "target_modules"},
            {"{\"r\": 4, \"lora_alpha\": 8, \"target_modules\": \"(q_proj\"}", "target_modules"},
            {"{\"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"], \"rank_pattern\": {\"q_proj\": 0}}",
                "rank_pattern"},
            {"{\"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"], \"alpha_pattern\": {\"q_proj\": \"x\"}}",
                "alpha_pattern"},
            {"{\"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"], \"layers_to_transform\": \"1\"}",
                "layers_to_transform"},
            {"{\"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"], \"use_dora\": true}", "use_dora"},
            {"{\"peft_type\": \"IA3\", \"r\": 4, \"lora_alpha\": 8, \"target_modules\": [\"q_proj\"]}", "peft_type"},
            {"{\"r\": 4,\n \"lora_alpha\": }", "not JSON"},
        };
        writeAdapter(dir, cfg(4, 8).put("target_modules", "q_proj"), Map.of("0:self_attn.q_proj", 4));
        for (Object[] k : cases) {
            Files.writeString(dir.resolve("adapter_config.json"), (String) k[0]);
            refused(dir, (String) k[1]);
        }
    }

    private static void refused(Path d, String fragment) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> LoraAdapter.load(d, CONFIG), fragment);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    private static void expect(LoraAdapter a, int layer, String proj, int rank, float scale) {
        LoraAdapter.Pair p = a.pair(layer, proj);
        assertNotNull(p, layer + " " + proj);
        assertEquals(rank, p.rank(), layer + " " + proj + " rank");
        assertEquals(scale, p.scale(), 1e-6f, layer + " " + proj + " scale");
    }

    private static float[] logits(LlamaWeights w, List<LoraAdapter> adapters, int adapter, int[] prompt) {
        try (LlamaModel m = new LlamaModel(Backends.get("cpu"), w, adapters); PagedKvCache c = m.newCache(4, 4, DType.F32);
                Tensor t = m.forward(c, List.of(new LlamaModel.Span(new int[] {0, 1, 2}, 0, prompt, adapter, true, true)))) {
            return t.toFloatArray();
        }
    }
}
