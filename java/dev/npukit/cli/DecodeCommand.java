package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.cold.ColdConfig;
import dev.npukit.cold.ContrastiveDecoder;
import dev.npukit.cold.DecodeRequest;
import dev.npukit.cold.Generation;
import dev.npukit.cold.LogitsModel;
import dev.npukit.model.LlamaConfig;
import dev.npukit.model.LlamaModel;
import dev.npukit.model.LlamaWeights;
import dev.npukit.model.LoraAdapter;
import dev.npukit.model.ModelLogits;
import dev.npukit.model.SafetensorsException;
import dev.npukit.model.Tokenizer;
import dev.npukit.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * CoLD decoding on a model directory (config.json + *.safetensors, Llama layout) with an optional
 * PEFT LoRA adapter as the expert; without an adapter it decodes the base model greedily (or
 * sampled). Text in, text out through the directory's tokenizer.json ({@code --prompt}, the text
 * streamed as it is generated), or token ids in, token ids out ({@code --prompt-tokens}).
 */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Decodes a prompt with a Llama, Mistral or Qwen2 model in safetensors: contrastively against the"
                + " base model when a LoRA adapter is given (CoLD), greedily (or sampled) otherwise. Prints the generated"
                + " text (--prompt) or token ids (--prompt-tokens).")
final class DecodeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory: config.json and *.safetensors.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA directory: adapter_config.json and adapter_model.safetensors.")
    Path adapter;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "Prompt text, encoded with the model directory's tokenizer.json;"
            + " the generated text is printed as it is produced.")
    String promptText;

    @Option(names = "--prompt-tokens", split = ",", paramLabel = "IDS", description = "Prompt token ids, comma-separated"
            + " (instead of --prompt).")
    int[] prompt;

    @Option(names = "--alpha", paramLabel = "A", defaultValue = "0.1", description = "Plausibility threshold in (0, 1]. Default: ${DEFAULT-VALUE}.")
    float alpha;

    @Option(names = "--beta", paramLabel = "B", defaultValue = "0.5", description = "Contrast strength >= 0 (0 = plain decoding of the expert). Default: ${DEFAULT-VALUE}.")
    float beta;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "32", description = "Tokens to generate. Default: ${DEFAULT-VALUE}.")
    int maxTokens;

    @Option(names = "--eos", split = ",", paramLabel = "IDS", description = "Token ids that end generation. Default with"
            + " --prompt: eos_token_id of generation_config.json (else tokenizer_config.json's eos_token); none with --prompt-tokens.")
    Integer[] eos;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 = greedy; > 0 samples (Gumbel-max). Default: ${DEFAULT-VALUE}.")
    float temperature;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "Sampling seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        if ((promptText == null) == (prompt == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), promptText == null
                    ? "--prompt: is required (or --prompt-tokens)" : "--prompt: give --prompt or --prompt-tokens, not both");
        }
        OptionChecks.positive(spec, "--max-tokens", maxTokens);
        coldConfig(eos);
        requireFolder("--model", model, "config.json");
        if (promptText != null && !Files.isRegularFile(model.resolve("tokenizer.json"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prompt: " + model
                    + " has no tokenizer.json (give token ids with --prompt-tokens)");
        }
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
        try (Tokenizer tokenizer = promptText == null ? null : loadTokenizer()) {
            if (promptText != null && tokenizer == null) {
                return 1;
            }
            return decode(tokenizer);
        }
    }

    /** The decoder's settings from the options, ending at the given ids (none when null). */
    private ColdConfig coldConfig(Integer[] eosIds) {
        try {
            ColdConfig.Builder b = ColdConfig.builder().alpha(alpha).beta(adapter == null ? 0f : beta)
                    .maxNewTokens(maxTokens).temperature(temperature).seed(seed);
            if (eosIds != null) {
                b.eosTokens(eosIds);
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
    }

    /** The model directory's tokenizer, or null after printing why it cannot be used. */
    private Tokenizer loadTokenizer() {
        try {
            return Tokenizer.load(model);
        } catch (SafetensorsException | IllegalStateException e) {
            spec.commandLine().getErr().println(spec.qualifiedName() + ": error: " + Messages.oneLine(e.getMessage()));
            return null;
        }
    }

    private int decode(Tokenizer tokenizer) throws Exception {
        if (tokenizer != null) {
            prompt = tokenizer.encode(promptText);
            if (prompt.length == 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--prompt: encodes to no tokens");
            }
        }
        ColdConfig config = coldConfig(eos != null || tokenizer == null ? eos
                : Arrays.stream(tokenizer.eosIds()).boxed().toArray(Integer[]::new));
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
                throw new CommandLine.ParameterException(spec.commandLine(), (tokenizer == null ? "--prompt-tokens: token "
                        : "--prompt: the tokenizer gives token ") + t + ", outside the model's vocabulary [0, "
                        + weights.config().vocabSize() + ")");
            }
        }
        if (prompt.length + maxTokens > weights.config().maxPositions()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-tokens: prompt plus new tokens exceed the "
                    + "model's " + weights.config().maxPositions() + " positions");
        }
        Generation g;
        long t0;
        PrintWriter out = spec.commandLine().getOut();
        // Text mode prints each token's text as soon as the decoder feeds the token back to the model.
        TextStream stream = tokenizer != null && !output.json ? new TextStream(tokenizer, out) : null;
        try (LlamaModel m = new LlamaModel(backend, weights, adapters)) {
            int blockSize = 16;
            int blocks = 2 * ((prompt.length + maxTokens + blockSize - 1) / blockSize + 1);
            try (ModelLogits logits = new ModelLogits(m, blocks, blockSize)) {
                progress.say("decoding on " + backend.name() + (adapters.isEmpty() ? " (no adapter: plain decoding)"
                        : " (CoLD: adapter as expert, base model as amateur)"));
                t0 = System.nanoTime();
                LogitsModel model = adapters.isEmpty() ? baseAsExpert(logits) : logits;
                if (stream != null) {
                    model = stream.watching(model);
                }
                g = new ContrastiveDecoder(backend, model, config).generate(List.of(DecodeRequest.of(prompt, 0))).get(0);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        progress.done();
        if (output.json) {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode n = mapper.createObjectNode();
            n.put("backend", backend.name()).put("adapter", adapter != null).put("alpha", alpha)
                    .put("beta", config.beta()).put("stop", g.stop().name()).put("seconds", seconds);
            Arrays.stream(g.tokens()).forEach(n.putArray("tokens")::add);
            if (tokenizer != null) {
                n.put("text", tokenizer.decode(g.tokens()));
            }
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        } else if (stream != null) {
            stream.finish(g.tokens());
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

    /**
     * Decoding without an adapter: the contrastive rule with beta 0 is argmax (or Gumbel sampling)
     * of the expert's logits, so the base model (index -1 for every row) takes the expert's place.
     */
    private static LogitsModel baseAsExpert(ModelLogits logits) {
        return new LogitsModel() {
            @Override
            public int vocabSize() {
                return logits.vocabSize();
            }

            @Override
            public Tensor logits(List<Row> rows) {
                return logits.logits(rows.stream().map(r -> new Row(r.sequenceId(), -1, r.newTokens())).toList());
            }

            @Override
            public void release(long id) {
                logits.release(id);
            }
        };
    }

    /**
     * Prints the text of the generated tokens as they come: each time, the decoding of all of them
     * so far less what is already printed, so the printed text is the decoding of the whole
     * generation (a token that ends inside a multi-byte character waits for the next one).
     */
    private static final class TextStream {
        private final Tokenizer tokenizer;
        private final PrintWriter out;
        private final List<Integer> tokens = new ArrayList<>();
        private String printed = "";

        TextStream(Tokenizer tokenizer, PrintWriter out) {
            this.tokenizer = tokenizer;
            this.out = out;
        }

        /** The model, reporting each chosen token when the decoder feeds it back (every call after the prompt's). */
        LogitsModel watching(LogitsModel model) {
            return new LogitsModel() {
                private boolean prompt = true;

                @Override
                public int vocabSize() {
                    return model.vocabSize();
                }

                @Override
                public Tensor logits(List<Row> rows) {
                    if (prompt) {
                        prompt = false;
                    } else {
                        for (int t : rows.get(0).newTokens()) {
                            tokens.add(t);
                        }
                        show(tokenizer.decode(tokens.stream().mapToInt(Integer::intValue).toArray()), false);
                    }
                    return model.logits(rows);
                }

                @Override
                public void release(long id) {
                    model.release(id);
                }
            };
        }

        /** Prints the rest of the whole generation and ends the line. */
        void finish(int[] generated) {
            show(tokenizer.decode(generated), true);
            out.println();
        }

        private void show(String text, boolean last) {
            if (!last && text.endsWith("\uFFFD")) {
                return;
            }
            int common = 0;
            while (common < Math.min(text.length(), printed.length()) && text.charAt(common) == printed.charAt(common)) {
                common++;
            }
            // A decoder that rewrites earlier text (rare) prints only from where the texts differ.
            if (common == printed.length() || last) {
                out.print(text.substring(common));
                out.flush();
                printed = text;
            }
        }
    }
}
