package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.bench.ColdBenchmarkKernels;
import dev.npukit.bench.ReadBandwidth;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code npukit bench contrastive}: the fused contrastive-scoring kernel against the unfused
 * baseline (log-softmax of each model into temporaries, mask, combine, argmax as separate
 * passes), both native on the cpu backend, on one interleaved [2B, V] batch. Reports medians
 * after a warm-up, the logits read rate (every expert and base logit counted once) and its ratio
 * to this machine's measured read bandwidth.
 */
@Command(name = "contrastive", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times fused contrastive scoring (CoLD) against the naive multi-pass baseline on the cpu backend,"
                + " and reports the rate at which the fused kernel reads the logits.")
final class BenchContrastiveCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--batch", split = ",", paramLabel = "B", defaultValue = "1,8,64,256",
            description = "Batch sizes, comma-separated. Default: ${DEFAULT-VALUE}.")
    int[] batches;

    @Option(names = "--vocab", split = ",", paramLabel = "V", defaultValue = "32000,151936",
            description = "Vocabulary sizes, comma-separated. Default: ${DEFAULT-VALUE}.")
    int[] vocabs;

    @Option(names = "--dtype", split = ",", paramLabel = "TYPE", defaultValue = "F32,BF16",
            description = "Logit dtypes, comma-separated: F32, F16, BF16. Default: ${DEFAULT-VALUE}.")
    DType[] dtypes;

    @CommandLine.Mixin
    TimingOptions timing = TimingOptions.defaults(2, 9);

    @CommandLine.Mixin
    JsonOption output;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive(spec, "--batch", batches);
        OptionChecks.positive(spec, "--vocab", vocabs);
        OptionChecks.floatTypes(spec, "--dtype", dtypes);
        timing.check(spec, 0);
        boolean json = output.json;
        PrintWriter out = spec.commandLine().getOut();
        Backend cpu = Backends.get("cpu");
        double readGBs = ReadBandwidth.measureGbPerS(512L << 20, 5, 3);
        List<Map<String, Object>> cases = new ArrayList<>();
        if (!json) {
            out.printf("cpu backend: %s%nread bandwidth (probe, all threads): %.1f GB/s%n%n", BackendText.of(cpu), readGBs);
            out.printf("%5s %7s %5s %10s %10s %8s %8s %7s %6s%n", "B", "V", "dtype", "fused ms", "naive ms",
                    "speedup", "GB/s", "of bw", "agree");
        }
        for (DType dtype : dtypes) {
            for (int vocab : vocabs) {
                for (int batch : batches) {
                    cases.add(runCase(out, json, cpu, batch, vocab, dtype, readGBs));
                }
            }
        }
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("backend", cpu.info().toString());
            report.put("readBandwidthGBs", readGBs);
            report.put("warmup", timing.warmup);
            report.put("runs", timing.runs);
            report.put("cases", cases);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            out.println();
            out.println("fused, naive ms: median time of one call; speedup = naive ms / fused ms; GB/s = expert and base"
                    + " logits (2 x B x V values) read once, over the fused time; of bw = that rate / the probe's read"
                    + " bandwidth (above 100% when the logits fit in the CPU caches); agree = rows where fused and naive"
                    + " pick the same token.");
        }
        out.flush();
        return 0;
    }

    private Map<String, Object> runCase(PrintWriter out, boolean json, Backend cpu, int batch, int vocab, DType dtype, double readGBs) {
        try (Tensor logits = randomLogits(cpu, dtype, 2 * batch, vocab);
                Tensor token = cpu.allocate(DType.I32, batch);
                Tensor naiveToken = cpu.allocate(DType.I32, batch);
                Tensor score = cpu.allocate(DType.F32, batch);
                Tensor count = cpu.allocate(DType.I32, batch);
                Tensor workspace = cpu.allocate(DType.F32, 2L * batch * vocab)) {
            ContrastiveArgs fused = ContrastiveArgs.builder().interleaved(logits).outputs(token, score, count).build();
            ContrastiveArgs naive = ContrastiveArgs.builder().interleaved(logits).outputs(naiveToken, score, count)
                    .build();
            Runnable fusedRun = () -> cpu.contrastive(fused);
            Runnable naiveRun = () -> ColdBenchmarkKernels.naive(naive, workspace);
            double fusedMs = BenchStats.measure(timing.warmup, timing.runs, fusedRun).medianMs();
            double naiveMs = BenchStats.measure(timing.warmup, timing.runs, naiveRun).medianMs();
            int[] a = token.toIntArray();
            int[] b = naiveToken.toIntArray();
            int agree = 0;
            for (int i = 0; i < batch; i++) {
                agree += a[i] == b[i] ? 1 : 0;
            }
            double bytes = 2.0 * batch * vocab * dtype.byteSize();
            double gbs = bytes / (fusedMs * 1e6);
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("batch", batch);
            c.put("vocab", vocab);
            c.put("dtype", dtype.name());
            c.put("fusedMs", round(fusedMs));
            c.put("naiveMs", round(naiveMs));
            c.put("speedup", round(naiveMs / fusedMs));
            c.put("fusedGBs", round(gbs));
            c.put("bandwidthRatio", round(gbs / readGBs));
            c.put("tokensAgree", agree + "/" + batch);
            if (!json) {
                out.printf("%5d %7d %5s %10.3f %10.3f %7.1fx %8.1f %6.0f%% %6s%n", batch, vocab, dtype, fusedMs,
                        naiveMs, naiveMs / fusedMs, gbs, 100 * gbs / readGBs, agree + "/" + batch);
            }
            return c;
        }
    }


    /** Rows drawn from 16 random peaked rows (logits ~ N(0, 3^2)): a handful of tokens within ln 10 of the max. */
    private static Tensor randomLogits(Backend be, DType dtype, int rows, int vocab) {
        SplittableRandom r = new SplittableRandom(42);
        float[][] pool = new float[16][vocab];
        for (float[] row : pool) {
            for (int i = 0; i < vocab; i++) {
                // Sum of three uniforms: cheap, bell-shaped, variance 3 * 3 = 9 after scaling.
                row[i] = (float) ((r.nextDouble() + r.nextDouble() + r.nextDouble() - 1.5) * 6);
            }
        }
        Tensor t = be.allocate(dtype, rows, vocab);
        for (int row = 0; row < rows; row++) {
            t.writeFloats((long) row * vocab, pool[(row * 7 + row / 16) % 16]);
        }
        return t;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
