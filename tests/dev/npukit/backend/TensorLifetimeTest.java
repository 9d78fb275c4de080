package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bench.ColdBenchmarkKernels;
import dev.npukit.internal.KernelCall;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.MemoryStats;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ownership rules of {@link Tensor}, one at a time: memory accounting, views holding their
 * parent's memory, kernel calls holding their tensors, and a call on a closed tensor failing
 * with the argument's name on every backend and kernel.
 */
class TensorLifetimeTest {

    /**
     * A backend instance with a memory account of its own (the shared instances also count other
     * tests' garbage, which the cleaner frees at unpredictable moments); null for ascend, whose
     * device is opened once per process.
     */
    static Backend counted(String name) {
        return switch (name) {
            case ReferenceBackend.NAME -> new ReferenceBackend();
            case CpuBackend.NAME -> CpuBackend.load();
            default -> null;
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void memoryIsCountedAndViewsHoldTheirParentsMemory(String name) {
        Backend b = counted(name);
        assertEquals(new MemoryStats(0, 0, 0), b.memoryStats());
        Tensor parent = b.fromFloats(DType.F32, new float[] {0, 1, 2, 3, 4, 5, 6, 7}, 8);
        Tensor small = b.allocate(DType.F16, 3);
        assertEquals(new MemoryStats(38, 2, 38), b.memoryStats());
        Tensor view = parent.view(4, 2, 2);
        assertEquals(new MemoryStats(38, 2, 38), b.memoryStats(), "a view adds nothing");
        small.close();
        parent.close();
        assertEquals(new MemoryStats(32, 1, 38), b.memoryStats(), "the view still holds the parent's memory");
        assertArrayEquals(new float[] {4, 5, 6, 7}, view.toFloatArray());
        Tensor viewOfView = view.view(2, 2);
        view.close();
        assertArrayEquals(new float[] {6, 7}, viewOfView.toFloatArray());
        viewOfView.close();
        assertEquals(new MemoryStats(0, 0, 38), b.memoryStats());
    }

    static Stream<Arguments> backendsAndKernels() {
        List<Arguments> out = new ArrayList<>();
        for (String backend : AvailableBackends.all()) {
            for (String kernel : SmallCall.KERNELS) {
                out.add(Arguments.of(backend, kernel));
            }
        }
        return out.stream();
    }

    /**
     * Every tensor argument of every kernel, closed before the call: the call fails with
     * "name: tensor is closed" for that argument and holds nothing afterwards.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndKernels")
    void aCallOnAClosedTensorFailsNamingIt(String name, String kernel) {
        Backend counted = counted(name);
        Backend b = counted != null ? counted : Backends.get(name);
        int n;
        int present = 0;
        try (SmallCall valid = SmallCall.of(b, kernel, 5)) {
            valid.run();
            n = valid.args.tensorCount();
            for (int i = 0; i < n; i++) {
                present += valid.args.tensor(i) == null ? 0 : 1;
            }
        }
        int checked = 0;
        for (int i = 0; i < n; i++) {
            try (SmallCall c = SmallCall.of(b, kernel, 5)) {
                Tensor victim = c.args.tensor(i);
                if (victim == null) {
                    continue;
                }
                victim.close();
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::run);
                assertEquals(c.args.tensorName(i) + ": tensor is closed", e.getMessage());
                checked++;
            }
        }
        assertTrue(checked >= 2 && checked == present, "tensor arguments checked: " + checked + " of " + present);
        if (counted != null) {
            assertEquals(0, b.memoryStats().tensors(), "a failed call holds nothing: " + b.memoryStats());
            assertEquals(0, b.memoryStats().bytes());
        }
    }

    /**
     * Inside a kernel call: a tensor closed on another thread stays readable by the call's own
     * thread, is unreadable by the others, and its memory is freed when the call ends.
     */
    @Test
    void aTensorClosedDuringACallIsFreedWhenTheCallEnds() throws Exception {
        Backend b = counted(CpuBackend.NAME);
        try (SmallCall c = SmallCall.of(b, "matmul", 9)) {
            Tensor x = c.args.tensor(0);
            float[] data = x.toFloatArray();
            TensorArgs outer = KernelCall.begin(c.args);
            try {
                CompletableFuture.runAsync(x::close).get();
                assertTrue(x.isClosed());
                assertArrayEquals(data, x.toFloatArray(), "the holding thread still reads it");
                Throwable other = CompletableFuture.supplyAsync(() -> {
                    try {
                        x.toFloatArray();
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                }).get();
                assertInstanceOf(IllegalStateException.class, other, "another thread cannot read a closed tensor");
                assertEquals(3, b.memoryStats().tensors(), "the call still holds x's memory");
            } finally {
                KernelCall.end(c.args, outer);
            }
            assertEquals(2, b.memoryStats().tensors(), "x's memory is freed when the call ends");
            assertThrows(IllegalStateException.class, x::toFloatArray);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::run);
            assertEquals("x: tensor is closed", e.getMessage());
        }
        assertEquals(new MemoryStats(0, 0, b.memoryStats().peakBytes()), b.memoryStats());
    }

    /** The unfused contrastive baseline of the benchmark holds its tensors like the kernels. */
    @Test
    void theBenchmarkBaselineRefusesClosedTensorsByName() {
        Backend b = counted(CpuBackend.NAME);
        for (String victim : new String[] {"", "expert", "token", "workspace"}) {
            Tensor logits = b.fromFloats(DType.F32, new float[4 * 32], 4, 32);
            Tensor token = b.allocate(DType.I32, 2);
            Tensor score = b.allocate(DType.F32, 2);
            Tensor count = b.allocate(DType.I32, 2);
            Tensor workspace = b.allocate(DType.F32, 2 * 2 * 32);
            ContrastiveArgs args = ContrastiveArgs.builder().interleaved(logits).outputs(token, score, count).build();
            switch (victim) {
                case "expert" -> logits.close();
                case "token" -> token.close();
                case "workspace" -> workspace.close();
                default -> { }
            }
            if (victim.isEmpty()) {
                ColdBenchmarkKernels.naive(args, workspace);
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> ColdBenchmarkKernels.naive(args, workspace));
                assertEquals(victim + ": tensor is closed", e.getMessage());
            }
            for (Tensor t : new Tensor[] {logits, token, score, count, workspace}) {
                t.close();
            }
        }
        assertEquals(0, b.memoryStats().tensors(), "nothing stays held: " + b.memoryStats());
    }

    /** A kernel reads a view whose parent is closed: the view holds the memory. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.npukit.backend.AvailableBackends#all")
    void aViewOfAClosedParentStillWorksInKernels(String name) {
        Backend b = Backends.get(name);
        float[] x = new float[2 * 16];
        float[] w = new float[8 * 16];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7) - 3;
            if (i < x.length) {
                x[i] = (i % 5) - 2;
            }
        }
        float[] padded = new float[x.length + 10];
        System.arraycopy(x, 0, padded, 10, x.length);
        float[] expected;
        try (Tensor xt = b.fromFloats(DType.F32, x, 2, 16);
                Tensor wt = b.fromFloats(DType.F32, w, 8, 16);
                Tensor out = b.allocate(DType.F32, 2, 8)) {
            b.matmul(new MatmulArgs(xt, wt, out));
            expected = out.toFloatArray();
        }
        Tensor parent = b.fromFloats(DType.F32, padded, padded.length);
        try (Tensor xv = parent.view(10, 2, 16);
                Tensor wt = b.fromFloats(DType.F32, w, 8, 16);
                Tensor out = b.allocate(DType.F32, 2, 8)) {
            parent.close();
            b.matmul(new MatmulArgs(xv, wt, out));
            assertArrayEquals(expected, out.toFloatArray());
        }
    }
}
