package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.npukit.check.KernelCheck;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.tensor.MemoryStats;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Use-after-free by a concurrent close: threads close the caches, queries, inputs and outputs of
 * attention, contrastive and BGMV calls at random moments while the calls run (on the cpu
 * backend: decode attention over 8 sequences of 16,384 slots, F16 cache, tens of milliseconds). Each call either
 * completes with the result of an undisturbed call or fails with "name: tensor is closed" for a
 * tensor that was closed; a call that starts after a close always fails. A crash kills the test
 * JVM, which fails the build.
 */
class CloseDuringCallStressTest {
    private static final int ITERATIONS = 200;

    /** One tensor argument: its name in the kernel's argument record, and its initial contents. */
    record Arg(String name, DType dtype, long[] shape, Object data) {
        Tensor on(Backend b) {
            if (data instanceof int[] ints) {
                return b.fromInts(ints, shape);
            }
            if (data instanceof short[] bits) {
                Tensor t = b.allocate(dtype, shape);
                t.copyFromBits(bits);
                return t;
            }
            return b.fromFloats(dtype, (float[]) data, shape);
        }
    }

    /** One kernel call: its arguments, which one is the output, which may be closed, and the call. */
    record Spec(String kernel, List<Arg> args, String output, List<String> victims,
            BiConsumer<Backend, Map<String, Tensor>> call) {
        Map<String, Tensor> on(Backend b) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            for (Arg a : args) {
                t.put(a.name, a.on(b));
            }
            return t;
        }

        /** The output of one undisturbed call on {@code b}; its duration in {@code nanos[0]}. */
        float[] runOnce(Backend b, long[] nanos) {
            Map<String, Tensor> t = on(b);
            try {
                long t0 = System.nanoTime();
                call.accept(b, t);
                nanos[0] = System.nanoTime() - t0;
                return t.get(output).toFloatArray();
            } finally {
                t.values().forEach(Tensor::close);
            }
        }

        Arg arg(String name) {
            return args.stream().filter(a -> a.name.equals(name)).findFirst().orElseThrow();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.npukit.backend.AvailableBackends#all")
    void closingTensorsDuringCallsNeverCrashesNorCorrupts(String name) throws Exception {
        Backend counted = TensorLifetimeTest.counted(name);
        Backend b = counted != null ? counted : Backends.get(name);
        MemoryStats before = b.memoryStats();
        // Attention long enough for closes to land inside it; the reference and the emulator are slower.
        Spec attention = switch (name) {
            case CpuBackend.NAME -> attention(8, 16384);
            case ReferenceBackend.NAME -> attention(2, 2048);
            default -> attention(2, 1024);
        };
        List<Spec> specs = List.of(attention, contrastive(), bgmvShrink(), bgmvExpand());
        Backend reference = Backends.get(ReferenceBackend.NAME);
        Map<String, float[]> solo = new HashMap<>();
        Map<String, Long> soloNanos = new HashMap<>();
        long[] nanos = new long[1];
        for (Spec s : specs) {
            float[] expected = s.runOnce(reference, nanos);
            s.runOnce(b, nanos); // warm-up
            float[] out = s.runOnce(b, nanos);
            soloNanos.put(s.kernel, nanos[0]);
            double err = KernelCheck.relativeError(out, expected, DType.F32);
            assertTrue(err <= KernelCheck.reductionBound(DType.F16), s.kernel + " on " + name + " vs reference: " + err);
            solo.put(s.kernel, out);
        }
        System.err.println("[close-during-call " + name + "] undisturbed call ns: " + soloNanos);

        SplittableRandom r = new SplittableRandom(20261204L);
        ExecutorService closers = Executors.newFixedThreadPool(2);
        Map<String, Map<String, Tensor>> live = new HashMap<>();
        int completed = 0;
        int refused = 0;
        int completedThoughClosedMeanwhile = 0;
        try {
            for (Spec s : specs) {
                live.put(s.kernel, s.on(b));
            }
            for (int it = 0; it < ITERATIONS; it++) {
                Spec s = it % 2 == 0 ? attention : specs.get(1 + r.nextInt(specs.size() - 1));
                Map<String, Tensor> t = live.get(s.kernel);
                // Fresh output each call (bgmv expand accumulates into it) and a fresh copy of each closed input.
                for (Arg a : s.args) {
                    if (a.name.equals(s.output) || t.get(a.name).isClosed()) {
                        t.get(a.name).close();
                        t.put(a.name, a.on(b));
                    }
                }
                List<String> victims = new ArrayList<>(s.victims);
                java.util.Collections.shuffle(victims, new java.util.Random(r.nextLong()));
                victims = victims.subList(0, 1 + r.nextInt(2));
                long window = Math.max(200_000L, soloNanos.get(s.kernel) * 3 / 2);
                long[] closedAt = new long[victims.size()];
                List<Future<?>> closing = new ArrayList<>();
                for (int v = 0; v < victims.size(); v++) {
                    Tensor victim = t.get(victims.get(v));
                    long delay = r.nextLong(window);
                    int slot = v;
                    closing.add(closers.submit(() -> {
                        LockSupport.parkNanos(delay);
                        victim.close();
                        closedAt[slot] = System.nanoTime();
                    }));
                }
                // The call starts at a random moment too, so closes land before, during and after it.
                LockSupport.parkNanos(r.nextLong(window / 3));
                long start = System.nanoTime();
                boolean closedBeforeStart = false;
                for (Future<?> f : closing) {
                    closedBeforeStart |= f.isDone();
                }
                RuntimeException failure = null;
                try {
                    s.call.accept(b, t);
                } catch (RuntimeException e) {
                    failure = e;
                }
                long end = System.nanoTime();
                for (Future<?> f : closing) {
                    f.get();
                }
                String what = name + " " + s.kernel + " iteration " + it + ", closing " + victims;
                if (failure == null) {
                    assertTrue(!closedBeforeStart, what + ": a call on an already closed tensor completed");
                    completed++;
                    boolean closedMeanwhile = false;
                    for (long at : closedAt) {
                        closedMeanwhile |= at > start && at < end;
                    }
                    completedThoughClosedMeanwhile += closedMeanwhile ? 1 : 0;
                    if (!victims.contains(s.output)) {
                        assertArrayEquals(solo.get(s.kernel), t.get(s.output).toFloatArray(), what);
                    }
                } else if (failure instanceof IllegalArgumentException && failure.getMessage().endsWith(": tensor is closed")) {
                    String named = failure.getMessage().substring(0, failure.getMessage().indexOf(':'));
                    assertTrue(victims.contains(named) && t.get(named).isClosed(),
                            what + ": the call names a tensor nobody closed: " + failure.getMessage());
                    refused++;
                } else {
                    throw new AssertionError(what + ": neither a result nor the documented exception", failure);
                }
            }
        } finally {
            closers.shutdownNow();
            live.values().forEach(m -> m.values().forEach(Tensor::close));
        }
        System.err.println("[close-during-call " + name + "] completed " + completed + " (of which with a close during "
                + "the call: " + completedThoughClosedMeanwhile + "), refused " + refused);
        assertEquals(ITERATIONS, completed + refused);
        assertTrue(completed > 0 && refused > 0, "both outcomes occur");
        assertTrue(completedThoughClosedMeanwhile >= 5, "closes landed inside running calls: "
                + completedThoughClosedMeanwhile);
        MemoryStats after = b.memoryStats();
        if (counted != null) {
            assertEquals(0, after.tensors(), "every hold was released: " + after);
        } else {
            assertTrue(after.tensors() <= before.tensors(), "every hold was released: " + before + " -> " + after);
        }
    }

    /** Decode attention (one query row per sequence), F16 cache and queries, NEOX RoPE. */
    static Spec attention(int seqs, int slotsPerSeq) {
        int heads = 8;
        int kvHeads = 1;
        int dim = 128;
        int block = 16;
        int blocksPerSeq = slotsPerSeq / block;
        int numBlocks = seqs * blocksPerSeq;
        long cacheElems = (long) numBlocks * block * kvHeads * dim;
        int[] tables = new int[seqs * blocksPerSeq];
        for (int i = 0; i < tables.length; i++) {
            tables[i] = tables.length - 1 - i; // every block used once, not in allocation order
        }
        int[] lens = new int[seqs];
        int[] starts = new int[seqs + 1];
        for (int s = 0; s < seqs; s++) {
            lens[s] = slotsPerSeq - s; // not all full: the last block of most sequences is partial
            starts[s + 1] = s + 1;
        }
        List<Arg> args = List.of(
                new Arg("q", DType.F16, new long[] {seqs, heads, dim}, f16(seqs * heads * dim, 1)),
                new Arg("kCache", DType.F16, new long[] {numBlocks, block, kvHeads, dim}, f16(cacheElems, 2)),
                new Arg("vCache", DType.F16, new long[] {numBlocks, block, kvHeads, dim}, f16(cacheElems, 3)),
                new Arg("blockTables", DType.I32, new long[] {seqs, blocksPerSeq}, tables),
                new Arg("seqLens", DType.I32, new long[] {seqs}, lens),
                new Arg("queryStartLoc", DType.I32, new long[] {seqs + 1}, starts),
                new Arg("cosSin", DType.F32, new long[] {slotsPerSeq, dim}, RopeTables.cosSin(slotsPerSeq, dim, 10000.0)),
                new Arg("out", DType.F32, new long[] {seqs, heads, dim}, new float[seqs * heads * dim]));
        return new Spec("pagedAttention", args, "out", List.of("kCache", "vCache", "q", "out"),
                (b, t) -> b.pagedAttention(AttentionArgs.builder().q(t.get("q")).kvCache(t.get("kCache"), t.get("vCache"))
                        .blockTables(t.get("blockTables")).seqLens(t.get("seqLens"))
                        .queryStartLoc(t.get("queryStartLoc")).rope(RopeStyle.NEOX, t.get("cosSin")).out(t.get("out"))
                        .build()));
    }

    static Spec contrastive() {
        int batch = 8;
        int vocab = 32000;
        List<Arg> args = List.of(
                new Arg("expert", DType.F32, new long[] {batch, vocab}, floats(batch * vocab, 4)),
                new Arg("base", DType.F32, new long[] {batch, vocab}, floats(batch * vocab, 5)),
                new Arg("token", DType.I32, new long[] {batch}, new int[batch]),
                new Arg("score", DType.F32, new long[] {batch}, new float[batch]),
                new Arg("validCount", DType.I32, new long[] {batch}, new int[batch]));
        return new Spec("contrastive", args, "token", List.of("expert", "base", "token", "score"),
                (b, t) -> b.contrastive(ContrastiveArgs.builder().separate(t.get("expert"), t.get("base"))
                        .outputs(t.get("token"), t.get("score"), t.get("validCount")).build()));
    }

    static Spec bgmvShrink() {
        int batch = 16;
        int hIn = 4096;
        int rank = 16;
        int loras = 4;
        int[] idx = new int[batch];
        for (int i = 0; i < batch; i++) {
            idx[i] = i % (loras + 1) - 1;
        }
        List<Arg> args = List.of(
                new Arg("x", DType.F32, new long[] {batch, hIn}, floats(batch * hIn, 6)),
                new Arg("a", DType.F32, new long[] {loras, rank, hIn}, floats(loras * rank * hIn, 7)),
                new Arg("indices", DType.I32, new long[] {batch}, idx),
                new Arg("y", DType.F32, new long[] {batch, rank}, new float[batch * rank]));
        return new Spec("bgmvShrink", args, "y", List.of("x", "a", "y"),
                (b, t) -> b.bgmvShrink(new BgmvShrinkArgs(t.get("x"), t.get("a"), t.get("indices"), t.get("y"), 0.5f)));
    }

    static Spec bgmvExpand() {
        int batch = 16;
        int hOut = 4096;
        int rank = 16;
        int loras = 4;
        int[] idx = new int[batch];
        for (int i = 0; i < batch; i++) {
            idx[i] = (i * 3) % (loras + 1) - 1;
        }
        List<Arg> args = List.of(
                new Arg("v", DType.F32, new long[] {batch, rank}, floats(batch * rank, 8)),
                new Arg("w", DType.F32, new long[] {loras, hOut, rank}, floats(loras * hOut * rank, 9)),
                new Arg("indices", DType.I32, new long[] {batch}, idx),
                new Arg("y", DType.F32, new long[] {batch, hOut}, floats(batch * hOut, 10)));
        return new Spec("bgmvExpand", args, "y", List.of("v", "w", "y"),
                (b, t) -> b.bgmvExpand(new BgmvExpandArgs(t.get("v"), t.get("w"), t.get("indices"), t.get("y"), 0)));
    }

    /** Deterministic values in [-1, 1) from a cheap hash: the cpu case fills 2 x 16.8 M cache entries. */
    private static float[] floats(long n, long seed) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = value(i, seed);
        }
        return a;
    }

    private static short[] f16(long n, long seed) {
        short[] a = new short[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = HalfFloats.floatToF16(value(i, seed));
        }
        return a;
    }

    private static float value(long i, long seed) {
        long h = (i + 1) * 0x9E3779B97F4A7C15L ^ seed * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return ((h >>> 40) / (float) (1 << 24)) * 2 - 1;
    }
}
