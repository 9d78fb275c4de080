package dev.npukit.backend;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One small, valid call of one kernel on one backend, with freshly allocated tensors that a test
 * may close; {@link #close()} closes every tensor (again).
 */
final class SmallCall implements AutoCloseable {
    static final List<String> KERNELS = List.of("pagedAttention", "writeKv", "rope", "contrastive", "bgmvShrink",
            "bgmvExpand", "matmul", "matmulBias", "rmsNorm", "siluMul", "embedding");

    final String kernel;
    final TensorArgs args;
    private final Backend backend;
    private final List<Tensor> tensors;

    private SmallCall(String kernel, Backend backend, List<Tensor> tensors, TensorArgs args) {
        this.kernel = kernel;
        this.backend = backend;
        this.tensors = tensors;
        this.args = args;
    }

    /** Runs the call. */
    void run() {
        switch (kernel) {
            case "pagedAttention" -> backend.pagedAttention((AttentionArgs) args);
            case "writeKv" -> backend.writeKv((WriteKvArgs) args);
            case "rope" -> backend.rope((RopeArgs) args);
            case "contrastive" -> backend.contrastive((ContrastiveArgs) args);
            case "bgmvShrink" -> backend.bgmvShrink((BgmvShrinkArgs) args);
            case "bgmvExpand" -> backend.bgmvExpand((BgmvExpandArgs) args);
            case "matmul", "matmulBias" -> backend.matmul((MatmulArgs) args);
            case "rmsNorm" -> backend.rmsNorm((RmsNormArgs) args);
            case "siluMul" -> backend.siluMul((SiluMulArgs) args);
            case "embedding" -> backend.embedding((EmbeddingArgs) args);
            default -> throw new AssertionError(kernel);
        }
    }

    @Override
    public void close() {
        tensors.forEach(Tensor::close);
    }

    static SmallCall of(Backend b, String kernel, long seed) {
        Random r = new Random(seed);
        List<Tensor> ts = new ArrayList<>();
        java.util.function.Function<long[], Tensor> floats = shape -> {
            float[] data = new float[(int) Tensor.numel(shape)];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) r.nextGaussian();
            }
            Tensor t = b.fromFloats(DType.F32, data, shape);
            ts.add(t);
            return t;
        };
        java.util.function.BiFunction<int[], long[], Tensor> ints = (data, shape) -> {
            Tensor t = b.fromInts(data, shape);
            ts.add(t);
            return t;
        };
        TensorArgs args = switch (kernel) {
            case "pagedAttention" -> AttentionArgs.builder()
                    .q(floats.apply(new long[] {2, 4, 16}))
                    .kvCache(floats.apply(new long[] {6, 4, 2, 16}), floats.apply(new long[] {6, 4, 2, 16}))
                    .blockTables(ints.apply(new int[] {0, 1, -1, 2, 3, 4}, new long[] {2, 3}))
                    .seqLens(ints.apply(new int[] {5, 9}, new long[] {2}))
                    .queryStartLoc(ints.apply(new int[] {0, 1, 2}, new long[] {3}))
                    .rope(RopeStyle.NEOX, track(ts, b.fromFloats(DType.F32, RopeTables.cosSin(16, 16, 10000.0), 16, 16)))
                    .out(floats.apply(new long[] {2, 4, 16}))
                    .build();
            case "writeKv" -> new WriteKvArgs(floats.apply(new long[] {3, 2, 16}), floats.apply(new long[] {3, 2, 16}),
                    floats.apply(new long[] {6, 4, 2, 16}), floats.apply(new long[] {6, 4, 2, 16}),
                    ints.apply(new int[] {0, 5, 9}, new long[] {3}));
            case "rope" -> new RopeArgs(floats.apply(new long[] {3, 4, 16}), ints.apply(new int[] {0, 1, 2}, new long[] {3}),
                    track(ts, b.fromFloats(DType.F32, RopeTables.cosSin(16, 16, 10000.0), 16, 16)), RopeStyle.NEOX, 16);
            case "contrastive" -> ContrastiveArgs.builder()
                    .separate(floats.apply(new long[] {2, 32}), floats.apply(new long[] {2, 32}))
                    .outputs(ints.apply(new int[2], new long[] {2}), floats.apply(new long[] {2}),
                            ints.apply(new int[2], new long[] {2}))
                    .topK(ints.apply(new int[6], new long[] {2, 3}), floats.apply(new long[] {2, 3}))
                    .build();
            case "bgmvShrink" -> new BgmvShrinkArgs(floats.apply(new long[] {2, 16}), floats.apply(new long[] {3, 4, 16}),
                    ints.apply(new int[] {0, 2}, new long[] {2}), floats.apply(new long[] {2, 4}), 1f);
            case "bgmvExpand" -> new BgmvExpandArgs(floats.apply(new long[] {2, 4}), floats.apply(new long[] {3, 8, 4}),
                    ints.apply(new int[] {1, -1}, new long[] {2}), floats.apply(new long[] {2, 8}), 0);
            case "matmul" -> new MatmulArgs(floats.apply(new long[] {2, 16}), floats.apply(new long[] {8, 16}),
                    floats.apply(new long[] {2, 8}));
            case "matmulBias" -> new MatmulArgs(floats.apply(new long[] {2, 16}), floats.apply(new long[] {8, 16}),
                    floats.apply(new long[] {8}), floats.apply(new long[] {2, 8}));
            case "rmsNorm" -> new RmsNormArgs(floats.apply(new long[] {3, 16}), floats.apply(new long[] {3, 16}),
                    floats.apply(new long[] {16}), floats.apply(new long[] {3, 16}), 1e-6f);
            case "siluMul" -> new SiluMulArgs(floats.apply(new long[] {3, 32}), floats.apply(new long[] {3, 16}));
            case "embedding" -> new EmbeddingArgs(floats.apply(new long[] {5, 16}),
                    ints.apply(new int[] {4, 0, 2}, new long[] {3}), floats.apply(new long[] {3, 16}));
            default -> throw new IllegalArgumentException(kernel);
        };
        return new SmallCall(kernel, b, ts, args);
    }

    private static Tensor track(List<Tensor> ts, Tensor t) {
        ts.add(t);
        return t;
    }
}
