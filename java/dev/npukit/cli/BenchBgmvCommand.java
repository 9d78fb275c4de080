package dev.npukit.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
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
 * {@code npukit bench bgmv}: BGMV shrink and expand throughput on the cpu backend for a CoLD-like
 * batch: B rows, each on one of the adapters or on none (-1, the base rows: every other row).
 * Reports medians, GFLOP/s over the rows that have an adapter, and the rate of reading the
 * adapters' weights that the batch uses (each used adapter counted once).
 */
@Command(name = "bgmv", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Times BGMV multi-LoRA shrink and expand on the cpu backend for a CoLD-like batch, in which"
                + " every other row has no adapter.")
final class BenchBgmvCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--hidden", paramLabel = "H", defaultValue = "4096",
            description = "Hidden size, input and output alike. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--rank", split = ",", paramLabel = "R", defaultValue = "16,64",
            description = "LoRA ranks, comma-separated. Default: ${DEFAULT-VALUE}.")
    int[] ranks;

    @Option(names = "--adapters", paramLabel = "N", defaultValue = "8", description = "Number of adapters. Default: ${DEFAULT-VALUE}.")
    int adapters;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "64", description = "Rows per batch. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--dtype", split = ",", paramLabel = "TYPE", defaultValue = "F32,BF16",
            description = "Weight and activation dtypes, comma-separated: F32, F16, BF16. Default: ${DEFAULT-VALUE}.")
    DType[] dtypes;

    @CommandLine.Mixin
    TimingOptions timing = TimingOptions.defaults(2, 21);

    @CommandLine.Mixin
    JsonOption output;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive(spec, "--hidden", hidden);
        OptionChecks.positive(spec, "--rank", ranks);
        OptionChecks.positive(spec, "--adapters", adapters);
        OptionChecks.positive(spec, "--batch", batch);
        OptionChecks.floatTypes(spec, "--dtype", dtypes);
        timing.check(spec, 0);
        boolean json = output.json;
        out = spec.commandLine().getOut();
        Backend cpu = Backends.get("cpu");
        // Expert rows (adapter b/2 mod adapters) alternate with base rows (-1), as CoLD batches them.
        int[] idx = new int[batch];
        int withAdapter = 0;
        boolean[] used = new boolean[adapters];
        for (int b = 0; b < batch; b++) {
            idx[b] = b % 2 == 1 ? -1 : (b / 2) % adapters;
            if (idx[b] >= 0) {
                withAdapter++;
                used[idx[b]] = true;
            }
        }
        int usedAdapters = 0;
        for (boolean u : used) {
            usedAdapters += u ? 1 : 0;
        }
        List<Map<String, Object>> cases = new ArrayList<>();
        if (!json) {
            out.printf("cpu backend: %s%nB=%d (%d with an adapter), hidden=%d, %d adapters%n%n", BackendText.of(cpu),
                    batch, withAdapter, hidden, adapters);
            out.printf("%6s %5s %5s %9s %9s %10s%n", "op", "rank", "dtype", "ms", "GFLOP/s", "weight GB/s");
        }
        SplittableRandom r = new SplittableRandom(3);
        for (DType dtype : dtypes) {
            for (int rank : ranks) {
                try (Tensor x = random(cpu, r, dtype, batch, hidden);
                        Tensor a = random(cpu, r, dtype, adapters, rank, hidden);
                        Tensor w = random(cpu, r, dtype, adapters, hidden, rank);
                        Tensor indices = cpu.fromInts(idx, batch);
                        Tensor v = cpu.allocate(DType.F32, batch, rank);
                        Tensor y = cpu.allocate(dtype, batch, hidden)) {
                    BgmvShrinkArgs shrink = new BgmvShrinkArgs(x, a, indices, v, 0.5f);
                    BgmvExpandArgs expand = new BgmvExpandArgs(v, w, indices, y, 0);
                    double flops = 2.0 * withAdapter * rank * hidden;
                    double weightBytes = (double) usedAdapters * rank * hidden * dtype.byteSize();
                    double shrinkMs = BenchStats.measure(timing.warmup, timing.runs, () -> cpu.bgmvShrink(shrink)).medianMs();
                    double expandMs = BenchStats.measure(timing.warmup, timing.runs, () -> cpu.bgmvExpand(expand)).medianMs();
                    cases.add(row("shrink", rank, dtype, shrinkMs, flops, weightBytes));
                    cases.add(row("expand", rank, dtype, expandMs, flops, weightBytes));
                }
            }
        }
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("backend", cpu.info().toString());
            report.put("batch", batch);
            report.put("rowsWithAdapter", withAdapter);
            report.put("hidden", hidden);
            report.put("adapters", adapters);
            report.put("warmup", timing.warmup);
            report.put("runs", timing.runs);
            report.put("cases", cases);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            out.println();
            out.println("ms: median time of one call; GFLOP/s = 2 x rank x hidden per row with an adapter, over that time;"
                    + " weight GB/s = the weights of the adapters the batch uses, each read once, over that time.");
        }
        out.flush();
        return 0;
    }

    private Map<String, Object> row(String op, int rank, DType dtype, double ms, double flops, double weightBytes) {
        double gflops = flops / (ms * 1e6);
        double gbs = weightBytes / (ms * 1e6);
        if (!output.json) {
            out.printf("%6s %5d %5s %9.3f %9.1f %10.1f%n", op, rank, dtype, ms, gflops, gbs);
        }
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("op", op);
        c.put("rank", rank);
        c.put("dtype", dtype.name());
        c.put("ms", Math.round(ms * 1000) / 1000.0);
        c.put("gflops", Math.round(gflops * 10) / 10.0);
        c.put("weightGBs", Math.round(gbs * 10) / 10.0);
        return c;
    }

    private static Tensor random(Backend be, SplittableRandom r, DType dtype, long... shape) {
        float[] data = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) (r.nextDouble() - 0.5);
        }
        return be.fromFloats(dtype, data, shape);
    }

}
