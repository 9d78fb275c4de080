package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.cold.ColdConfig;
import dev.npukit.cold.ContrastiveDecoder;
import dev.npukit.cold.DecodeRequest;
import dev.npukit.cold.Generation;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.LlamaWeights;
import dev.npukit.model.LoraAdapter;
import dev.npukit.model.ModelLogits;
import dev.npukit.model.SafetensorsException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * CoLD decoding on a model directory (config.json + *.safetensors, Llama layout) with an optional
 * PEFT LoRA adapter as the expert; without an adapter it decodes the base model greedily (or
 * sampled). Token ids in, token ids out: npukit has no tokenizer.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Decodes token ids with a Llama model in safetensors: contrastively against the base model when a"
                + " LoRA adapter is given (CoLD), greedily (or sampled) otherwise. Prints the generated token ids.")
final class DecodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory: config.json and *.safetensors.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA directory: adapter_config.json and adapter_model.safetensors.")
    Path adapter;

    @Option(names = "--prompt-tokens", required = true, split = ",", paramLabel = "IDS", description = "Prompt token ids, comma-separated.")
    int[] prompt;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.1", description = "Plausibility threshold in (0, 1]. Default: ${DEFAULT-VALUE}.")
    float alpha;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "0.5", description = "Contrast strength >= 0 (0 = plain decoding of the expert). Default: ${DEFAULT-VALUE}.")
    float beta;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32", description = "Tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--eos", split = ",", paramLabel = "IDS", description = "Token ids that end generation.")
    Integer[] eos;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 = greedy; > 0 samples (Gumbel-max). Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive(spec, "--max-tokens", maxTokens);
        ColdConfig config;
        try {
            ColdConfig.Builder b = ColdConfig.builder().alpha(alpha).beta(adapter == null ? 0f : beta)
                    .maxNewTokens(maxTokens).temperature(temperature).seed(seed);
            if (eos != null) {
                b.eosTokens(eos);
            }
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        requireFolder("--model", model, "config.json");
        if (adapter != null) {
            requireFolder("--adapter", adapter, "adapter_config.json");
        }
        try {
            // Cheap, and a config that is wrong is then the one line the command prints.
            LlamaConfig.read(model.resolve("config.json"));
        } catch (SafetensorsException e) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": error: " + Messages.oneLine(e.getMessage()));
            return 1;
        }
        Progress progress = new Progress(spec.commandLine().getErr());
        Backend backend = Backends.best();
        LlamaWeights weights;
        List<LoraAdapter> adapters;
        try {
            progress.say("loading " + model);
            weights = LlamaWeights.load(model);
            adapters = adapter == null ? List.of() : List.of(LoraAdapter.load(adapter, weights.config()));
        } catch (SafetensorsException e) {
            // A missing, corrupt or unsupported checkpoint: an error met while running (exit 1).
            spec.commandLine().getErr().println(spec.qualifiedName() + ": error: " + Messages.oneLine(e.getMessage()));
            return 1;
        }
        for (int t : prompt) {
            if (t < 0 || t >= weights.config().vocabSize()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--prompt-tokens: token " + t
                        + " is outside the vocabulary [0, " + weights.config().vocabSize() + ")");
            }
        }
        if (prompt.length + maxTokens > weights.config().maxPositions()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-tokens: prompt plus new tokens exceed the "
                    + "model's " + weights.config().maxPositions() + " positions");
        }
        Generation g;
        long t0;
        try (LlamaModel m = new LlamaModel(backend, weights, adapters)) {
            int blockSize = 16;
            int blocks = 2 * ((prompt.length + maxTokens + blockSize - 1) / blockSize + 1);
            try (ModelLogits logits = new ModelLogits(m, blocks, blockSize)) {
                progress.say("decoding on " + backend.name() + (adapters.isEmpty() ? " (no adapter: plain decoding)"
                        : " (CoLD: adapter as expert, base model as amateur)"));
                t0 = System.nanoTime();
                DecodeRequest req = adapters.isEmpty() ? null : DecodeRequest.of(prompt, 0);
                if (req == null) {
                    g = plainDecode(m, logits, config, prompt);
                } else {
                    g = new ContrastiveDecoder(backend, logits, config).generate(List.of(req)).get(0);
                }
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        progress.done();
        PrintWriter out = spec.commandLine().getOut();
        if (output.json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode n = mapper.createObjectNode();
            n.put("backend", backend.name()).put("adapter", adapter != null).put("alpha", alpha)
                    .put("beta", config.beta()).put("stop", g.stop().name()).put("seconds", seconds);
            Arrays.stream(g.tokens()).forEach(n.putArray("tokens")::add);
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        } else {
            out.println(Arrays.toString(g.tokens()).replaceAll("[\\[\\] ]", ""));
        }
        out.flush();
        return 0;
    }

    /** A missing model or adapter folder is a usage error (exit code 2), found before anything loads. */
    private void requireFolder(String option, Path dir, String file) {
        if (!Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": no such folder: " + dir);
        }
        if (!Files.isRegularFile(dir.resolve(file))) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + dir + " has no " + file);
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith(".safetensors"))) {
                throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + dir + " has no *.safetensors file");
            }
        } catch (java.io.IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + Messages.io(e));
        }
    }

    /** Decoding without an adapter: the contrastive rule with beta 0 over the base model's own logits. */
    private static Generation plainDecode(LlamaModel m, ModelLogits logits, ColdConfig config, int[] prompt) {
        // With beta 0 the contrastive rule is argmax (or Gumbel sampling) of the expert's logits, so
        // the decoder runs the base model in the expert's place (index -1 for every row).
        dev.npukit.cold.LogitsModel doubled = new dev.npukit.cold.LogitsModel() {
            @Override
            public int vocabSize() {
                return logits.vocabSize();
            }

            @Override
            public dev.npukit.tensor.Tensor logits(List<Row> rows) {
                List<Row> base = rows.stream().map(r -> new Row(r.sequenceId(), -1, r.newTokens())).toList();
                return logits.logits(base);
            }

            @Override
            public void release(long id) {
                logits.release(id);
            }
        };
        return new ContrastiveDecoder(m.backend(), doubled, config).generate(List.of(DecodeRequest.of(prompt, 0)))
                .get(0);
    }
}
