package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.CpuKernels;
import dev.npukit.bridge.NativeAbi;
import dev.npukit.internal.NativeArgs;
import dev.npukit.internal.NativeStorage;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad arguments of the CoLD kernels fail in Java validation with an IllegalArgumentException whose
 * message starts with the argument's name, on every backend, before anything runs; and the native
 * entry points re-check sizes themselves, returning an error code instead of touching memory.
 */
class ColdArgumentTest {
    static List<String> backends() {
        return AvailableBackends.all();
    }

    private static void expectBad(String argument, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(argument + ":"), "expected a message about " + argument + ", got: "
                + e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void contrastiveArguments(String name) {
        Backend be = Backends.get(name);
        try (Tensor logits = be.allocate(DType.F16, 6, 50);
                Tensor other = be.allocate(DType.F32, 3, 50);
                Tensor narrow = be.allocate(DType.F16, 3, 49);
                Tensor token = be.fromInts(new int[] {5, 5, 5}, 3);
                Tensor score = be.allocate(DType.F32, 3);
                Tensor count = be.allocate(DType.I32, 3);
                Tensor ti = be.allocate(DType.I32, 3, 4);
                Tensor ts = be.allocate(DType.F32, 3, 4);
                Tensor big = be.allocate(DType.I32, 3, 51);
                Tensor bigScores = be.allocate(DType.F32, 3, 51)) {
            Consumer<ContrastiveArgs.Builder> run = b -> be.contrastive(b.build());
            java.util.function.Supplier<ContrastiveArgs.Builder> ok = () -> ContrastiveArgs.builder()
                    .interleaved(logits).outputs(token, score, count);
            run.accept(ok.get());
            assertEquals(0, token.toIntArray()[0], "all-zero logits: the lowest index");
            token.copyFrom(new int[] {5, 5, 5});
            expectBad("alpha", () -> run.accept(ok.get().alpha(0f)));
            expectBad("alpha", () -> run.accept(ok.get().alpha(1.5f)));
            expectBad("alpha", () -> run.accept(ok.get().alpha(Float.NaN)));
            expectBad("beta", () -> run.accept(ok.get().beta(-0.1f)));
            expectBad("beta", () -> run.accept(ok.get().beta(Float.POSITIVE_INFINITY)));
            expectBad("temperature", () -> run.accept(ok.get().sample(0f, new long[3])));
            expectBad("temperature", () -> run.accept(ok.get().sample(Float.NaN, new long[3])));
            expectBad("seeds", () -> run.accept(ok.get().sample(1f, new long[2])));
            expectBad("base", () -> run.accept(ok.get().base(LogitRows.all(other))));
            expectBad("base", () -> run.accept(ok.get().base(LogitRows.all(narrow))));
            expectBad("expert", () -> run.accept(ok.get().expert(new LogitRows(logits, 1, 2))
                    .base(new LogitRows(logits, 0, 2)).expert(new LogitRows(logits, 2, 2))));
            expectBad("base", () -> run.accept(ok.get().base(new LogitRows(logits, -1, 2))));
            expectBad("base", () -> run.accept(ok.get().base(new LogitRows(logits, 1, 0))));
            expectBad("expert", () -> run.accept(ok.get().expert(null)));
            expectBad("score", () -> run.accept(ok.get().outputs(token, count, count)));
            expectBad("validCount", () -> run.accept(ok.get().outputs(token, score, ts)));
            expectBad("topkIndices", () -> run.accept(ok.get().topK(ti, null)));
            expectBad("topkIndices", () -> run.accept(ok.get().topK(big, bigScores)));
            expectBad("topkScores", () -> run.accept(ok.get().topK(ti, bigScores)));
            expectBad("args", () -> be.contrastive(null));
            assertEquals(List.of(5, 5, 5), java.util.Arrays.stream(token.toIntArray()).boxed().toList(),
                    "validation failures wrote nothing");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void bgmvArguments(String name) {
        Backend be = Backends.get(name);
        try (Tensor x = be.allocate(DType.F32, 4, 32);
                Tensor a = be.allocate(DType.BF16, 2, 8, 32);
                Tensor idx = be.fromInts(new int[] {0, 1, -1, 0}, 4);
                Tensor badIdx = be.fromInts(new int[] {0, 2, -1, 0}, 4);
                Tensor lowIdx = be.fromInts(new int[] {0, -2, -1, 0}, 4);
                Tensor y = be.allocate(DType.F32, 4, 8);
                Tensor yHalf = be.allocate(DType.F16, 4, 8);
                Tensor w = be.allocate(DType.F16, 2, 40, 8);
                Tensor out = be.allocate(DType.BF16, 4, 48)) {
            be.bgmvShrink(new BgmvShrinkArgs(x, a, idx, y, 1f));
            be.bgmvExpand(new BgmvExpandArgs(y, w, idx, out, 8));
            expectBad("indices", () -> be.bgmvShrink(new BgmvShrinkArgs(x, a, badIdx, y, 1f)));
            expectBad("indices", () -> be.bgmvExpand(new BgmvExpandArgs(y, w, lowIdx, out, 0)));
            expectBad("y", () -> be.bgmvShrink(new BgmvShrinkArgs(x, a, idx, yHalf, 1f)));
            expectBad("scale", () -> be.bgmvShrink(new BgmvShrinkArgs(x, a, idx, y, Float.NaN)));
            expectBad("a", () -> be.bgmvShrink(new BgmvShrinkArgs(x, w, idx, y, 1f)));
            expectBad("offset", () -> be.bgmvExpand(new BgmvExpandArgs(y, w, idx, out, 9)));
            expectBad("offset", () -> be.bgmvExpand(new BgmvExpandArgs(y, w, idx, out, -1)));
            expectBad("w", () -> be.bgmvExpand(new BgmvExpandArgs(y, a, idx, out, 0)));
        }
    }

    @Test
    void nativeEntryPointsRecheckBounds() {
        Backend be = Backends.get(CpuBackend.NAME);
        try (Tensor logits = be.allocate(DType.F32, 4, 10);
                Tensor out = be.fromInts(new int[] {9, 9}, 2);
                Tensor score = be.allocate(DType.F32, 2);
                Tensor count = be.allocate(DType.I32, 2);
                Tensor idx = be.fromInts(new int[] {3, 0}, 2);
                Tensor x = be.allocate(DType.F32, 2, 4);
                Tensor a = be.allocate(DType.F32, 1, 2, 4);
                Tensor y = be.allocate(DType.F32, 2, 2)) {
            NativeArgs host = new NativeArgs(NativeStorage::address, NativeArgs.HOST);
            ContrastiveArgs greedy = ContrastiveArgs.builder().expert(new LogitRows(logits, 0, 2))
                    .base(new LogitRows(logits, 1, 2)).beta(0.5f).outputs(out, score, count).build();
            ContrastiveArgs.Shape shape = new ContrastiveArgs.Shape(2, 10, 0, -2.3f, false);
            // Base rows 1 + 2b for b < 2 would need row 3 + ... stride 3 reaches row 4: out of bounds.
            NativeAbi.npukit_contrastive_args c = host.contrastive(greedy, shape).base_row_stride(3);
            assertEquals(NativeAbi.NPUKIT_ERR_BOUNDS(), CpuKernels.npukit_cpu_contrastive(c));
            c = host.contrastive(greedy, shape).ln_alpha(0.1f);
            assertEquals(NativeAbi.NPUKIT_ERR_ARGUMENT(), CpuKernels.npukit_cpu_contrastive(c),
                    "ln_alpha > 0 is an argument error");
            assertEquals(9, out.toIntArray()[0], "nothing written");
            int status = CpuKernels.npukit_cpu_bgmv_shrink(host.bgmvShrink(new BgmvShrinkArgs(x, a, idx, y, 1f)));
            assertEquals(NativeAbi.NPUKIT_ERR_BOUNDS(), status, "adapter index 3 of 1");
        }
    }
}
