package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.CpuKernels;
import dev.npukit.bridge.NativeAbi;
import dev.npukit.internal.NativeArgs;
import dev.npukit.internal.NativeStorage;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad matmul arguments fail in Java validation, naming the argument, on every backend and
 * before anything is written; the native entry point re-checks sizes itself.
 */
class MatmulArgumentTest {
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
    void badArgumentsNameTheArgument(String name) {
        Backend be = Backends.get(name);
        try (Tensor x = be.allocate(DType.F32, 2, 8);
                Tensor w = be.allocate(DType.BF16, 5, 8);
                Tensor out = be.fromFloats(DType.F32, new float[10], 2, 5);
                Tensor wrongK = be.allocate(DType.F32, 5, 7);
                Tensor outF16 = be.allocate(DType.F16, 2, 5);
                Tensor outWrongRows = be.allocate(DType.F32, 3, 5);
                Tensor outWrongCols = be.allocate(DType.F32, 2, 4);
                Tensor ints = be.allocate(DType.I32, 2, 8);
                Tensor x3 = be.allocate(DType.F32, 1, 2, 8);
                Tensor closed = be.allocate(DType.F32, 2, 8)) {
            closed.close();
            be.matmul(new MatmulArgs(x, w, out));
            expectBad("args", () -> be.matmul(null));
            expectBad("x", () -> be.matmul(new MatmulArgs(null, w, out)));
            expectBad("x", () -> be.matmul(new MatmulArgs(ints, w, out)));
            expectBad("x", () -> be.matmul(new MatmulArgs(x3, w, out)));
            expectBad("x", () -> be.matmul(new MatmulArgs(closed, w, out)));
            expectBad("weight", () -> be.matmul(new MatmulArgs(x, wrongK, out)));
            expectBad("weight", () -> be.matmul(new MatmulArgs(x, null, out)));
            expectBad("out", () -> be.matmul(new MatmulArgs(x, w, outF16)));
            expectBad("out", () -> be.matmul(new MatmulArgs(x, w, outWrongRows)));
            expectBad("out", () -> be.matmul(new MatmulArgs(x, w, outWrongCols)));
            String other = name.equals(ReferenceBackend.NAME) ? CpuBackend.NAME : ReferenceBackend.NAME;
            try (Tensor foreign = Backends.get(other).allocate(DType.F32, 2, 8)) {
                expectBad("x", () -> be.matmul(new MatmulArgs(foreign, w, out)));
            }
            assertArrayEquals(new float[10], out.toFloatArray(), "failed calls wrote nothing");
        }
    }

    @Test
    void nativeEntryPointRechecksSizes() {
        Backend be = Backends.get(CpuBackend.NAME);
        try (Tensor x = be.allocate(DType.F32, 2, 8);
                Tensor w = be.allocate(DType.F32, 5, 8);
                Tensor out = be.allocate(DType.F32, 2, 5)) {
            NativeArgs host = new NativeArgs(NativeStorage::address, NativeArgs.HOST);
            MatmulArgs args = new MatmulArgs(x, w, out);
            // out claims fewer elements than m * n: refused, not written past.
            NativeAbi.npukit_matmul_args c = host.matmul(args);
            c.out().numel(9);
            assertNotEquals(0, CpuKernels.npukit_cpu_matmul(c));
            assertTrue(CpuKernels.npukit_last_error().getString().contains("matmul"));
            c = host.matmul(args);
            c.out().shape(1, 4).numel(8);
            assertNotEquals(0, CpuKernels.npukit_cpu_matmul(c), "out of the wrong shape");
            c = host.matmul(args);
            c.x().dtype(DType.I32.code());
            assertNotEquals(0, CpuKernels.npukit_cpu_matmul(c), "I32 x");
            c = host.matmul(args);
            NativeAbi.npukit_tensor_set(c.x(), 0L, 0, 2, 2, 8, 0, 0, 16, NativeArgs.HOST, 0L);
            assertNotEquals(0, CpuKernels.npukit_cpu_matmul(c), "null x");
            c = host.matmul(args);
            c.x().shape(0, -2);
            assertNotEquals(0, CpuKernels.npukit_cpu_matmul(c), "negative m");
            c = host.matmul(args);
            c.x().rank(3);
            assertNotEquals(0, CpuKernels.npukit_cpu_matmul(c), "rank 3 x");
            assertArrayEquals(new float[10], out.toFloatArray(), "refused calls wrote nothing");
        }
    }
}
