package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.bridge.CpuKernels;
import dev.npukit.internal.AscendStorage;
import dev.npukit.internal.NativeArgs;
import dev.npukit.internal.NativeStorage;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RMS norm, SiLU-and-multiply, embedding and matmul's bias: bad arguments fail in Java validation
 * naming the argument, on every backend, before anything is written (outputs sharing memory with
 * inputs included); hand-worked rows give the contract's values; the native entry points re-check
 * what Java checked and write nothing when they refuse.
 */
class ElementwiseArgumentTest {
    private static final float GUARD = 777.25f;

    static List<String> backends() {
        return AvailableBackends.all();
    }

    static List<String> nativeBackends() {
        return AvailableBackends.underTest();
    }

    private static void expectBad(String argument, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(argument + ":"), "expected a message about " + argument + ", got: "
                + e.getMessage());
    }

    private static float[] guard(int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, GUARD);
        return a;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void rmsNormRefusesBadArgumentsAndOverlaps(String name) {
        Backend be = Backends.get(name);
        try (Tensor x = be.fromFloats(DType.F32, new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
                Tensor res = be.fromFloats(DType.F32, new float[6], 2, 3);
                Tensor w = be.fromFloats(DType.F32, new float[] {1, 1, 1}, 3);
                Tensor out = be.fromFloats(DType.F32, guard(6), 2, 3);
                Tensor shared = be.fromFloats(DType.F32, guard(12), 12);
                Tensor f16 = be.allocate(DType.F16, 2, 3);
                Tensor wrongRows = be.allocate(DType.F32, 3, 3);
                Tensor empty = be.allocate(DType.F32, 2, 0);
                Tensor w0 = be.allocate(DType.F32, 0)) {
            expectBad("args", () -> be.rmsNorm(null));
            expectBad("x", () -> be.rmsNorm(new RmsNormArgs(null, res, w, out, 1e-6f)));
            expectBad("x", () -> be.rmsNorm(new RmsNormArgs(f16, res, w, out, 1e-6f)));
            expectBad("x", () -> be.rmsNorm(new RmsNormArgs(empty, null, w0, empty, 1e-6f)));
            expectBad("residual", () -> be.rmsNorm(new RmsNormArgs(x, wrongRows, w, out, 1e-6f)));
            expectBad("residual", () -> be.rmsNorm(new RmsNormArgs(x, x, w, out, 1e-6f)));
            expectBad("weight", () -> be.rmsNorm(new RmsNormArgs(x, res, res, out, 1e-6f)));
            expectBad("out", () -> be.rmsNorm(new RmsNormArgs(x, res, w, f16, 1e-6f)));
            expectBad("out", () -> be.rmsNorm(new RmsNormArgs(x, res, w, x, 1e-6f)));
            expectBad("out", () -> be.rmsNorm(new RmsNormArgs(x, res, w, res, 1e-6f)));
            for (float eps : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1e-6f}) {
                expectBad("eps", () -> be.rmsNorm(new RmsNormArgs(x, res, w, out, eps)));
            }
            // Views of one allocation: overlapping by one element is refused, adjacent ones are fine.
            Tensor a = shared.view(0, 2, 3);
            Tensor overlapping = shared.view(5, 2, 3);
            Tensor adjacent = shared.view(6, 2, 3);
            a.copyFrom(new float[] {1, 2, 3, 4, 5, 6});
            expectBad("out", () -> be.rmsNorm(new RmsNormArgs(a, null, w, overlapping, 1e-6f)));
            assertArrayEquals(guard(6), out.toFloatArray(), "failed calls wrote nothing");
            assertArrayEquals(new float[6], res.toFloatArray(), "failed calls wrote nothing");
            be.rmsNorm(new RmsNormArgs(a, null, w, adjacent, 0f));
            float[] got = adjacent.toFloatArray();
            double scale = 1 / Math.sqrt((1 + 4 + 9) / 3.0);
            assertEquals(3 * scale, got[2], 1e-6);
        }
    }

    /** x = [3, 4], residual = [1, 0]: residual becomes [4, 4], mean square 16, scale 1/4, out = weight exactly. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void fusedResidualAddUpdatesTheResidualAndNormalizesIt(String name) {
        Backend be = Backends.get(name);
        try (Tensor x = be.fromFloats(DType.F32, new float[] {3, 4}, 1, 2);
                Tensor res = be.fromFloats(DType.F32, new float[] {1, 0}, 1, 2);
                Tensor w = be.fromFloats(DType.F32, new float[] {0.5f, -2f}, 2);
                Tensor out = be.allocate(DType.F32, 1, 2)) {
            be.rmsNorm(new RmsNormArgs(x, res, w, out, 0f));
            assertArrayEquals(new float[] {4, 4}, res.toFloatArray());
            assertArrayEquals(new float[] {0.5f, -2f}, out.toFloatArray());
            assertArrayEquals(new float[] {3, 4}, x.toFloatArray(), "x is only read");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void siluMulRefusesBadArgumentsAndGivesTheEdgeValues(String name) {
        Backend be = Backends.get(name);
        float inf = Float.POSITIVE_INFINITY;
        try (Tensor gu = be.fromFloats(DType.F32, new float[] {0, -inf, inf, -1e30f, 2, 3, 5, 7}, 1, 8);
                Tensor out = be.fromFloats(DType.F32, guard(4), 1, 4);
                Tensor odd = be.allocate(DType.F32, 1, 7);
                Tensor wide = be.allocate(DType.F32, 1, 8)) {
            expectBad("args", () -> be.siluMul(null));
            expectBad("gateUp", () -> be.siluMul(new SiluMulArgs(odd, out)));
            expectBad("gateUp", () -> be.siluMul(new SiluMulArgs(null, out)));
            expectBad("out", () -> be.siluMul(new SiluMulArgs(gu, wide)));
            expectBad("out", () -> be.siluMul(new SiluMulArgs(gu, gu.view(4, 1, 4))));
            assertArrayEquals(guard(4), out.toFloatArray(), "failed calls wrote nothing");
            be.siluMul(new SiluMulArgs(gu, out));
            // silu(0) = 0, silu(-inf) = -0, silu(+inf) = +inf, silu(-1e30) = -0 (exp overflows).
            assertArrayEquals(new float[] {0f, -0f, inf, -0f}, out.toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void embeddingRefusesIdsOutsideTheTable(String name) {
        Backend be = Backends.get(name);
        try (Tensor table = be.fromFloats(DType.BF16, new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
                Tensor ids = be.fromInts(new int[] {2, 0, 2}, 3);
                Tensor bad = be.fromInts(new int[] {1, 3, 0}, 3);
                Tensor negative = be.fromInts(new int[] {-1, 0, 0}, 3);
                Tensor written = be.allocate(DType.I32, 3);
                Tensor out = be.fromFloats(DType.F32, guard(6), 3, 2);
                Tensor outWrong = be.allocate(DType.F32, 3, 3);
                Tensor floats = be.allocate(DType.F32, 3)) {
            written.writeInts(0, new int[] {0, 1, 3});
            expectBad("args", () -> be.embedding(null));
            expectBad("table", () -> be.embedding(new EmbeddingArgs(null, ids, out)));
            expectBad("ids", () -> be.embedding(new EmbeddingArgs(table, floats, out)));
            expectBad("out", () -> be.embedding(new EmbeddingArgs(table, ids, outWrong)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> be.embedding(new EmbeddingArgs(table, bad, out)));
            assertEquals("ids: entry 1 is 3, outside [0, 3) (vocab)", e.getMessage());
            expectBad("ids", () -> be.embedding(new EmbeddingArgs(table, negative, out)));
            // Without a host copy the values are read from the tensor itself.
            e = assertThrows(IllegalArgumentException.class, () -> be.embedding(new EmbeddingArgs(table, written, out)));
            assertEquals("ids: entry 2 is 3, outside [0, 3) (vocab)", e.getMessage());
            assertArrayEquals(guard(6), out.toFloatArray(), "failed calls wrote nothing");
            be.embedding(new EmbeddingArgs(table, ids, out));
            assertArrayEquals(new float[] {5, 6, 1, 2, 5, 6}, out.toFloatArray());
        }
        // A row gather from an F32 activation tensor into a view of the same allocation beside it.
        try (Tensor buf = be.fromFloats(DType.F32, new float[] {1, 2, 3, 4, 0, 0}, 6);
                Tensor ids = be.fromInts(new int[] {1}, 1)) {
            expectBad("out", () -> be.embedding(new EmbeddingArgs(buf.view(0, 2, 2), ids, buf.view(2, 1, 2))));
            be.embedding(new EmbeddingArgs(buf.view(0, 2, 2), ids, buf.view(4, 1, 2)));
            assertArrayEquals(new float[] {1, 2, 3, 4, 3, 4}, buf.toFloatArray());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void matmulBiasIsCheckedAndAdded(String name) {
        Backend be = Backends.get(name);
        try (Tensor x = be.fromFloats(DType.F32, new float[] {1, 2}, 1, 2);
                Tensor w = be.fromFloats(DType.F32, new float[] {1, 1, 0, 1, 2, 0}, 3, 2);
                Tensor bias = be.fromFloats(DType.F32, new float[] {10, 20, 30}, 3);
                Tensor shortBias = be.allocate(DType.F32, 2);
                Tensor halfBias = be.allocate(DType.F16, 3);
                Tensor out = be.fromFloats(DType.F32, guard(3), 1, 3)) {
            expectBad("bias", () -> be.matmul(new MatmulArgs(x, w, shortBias, out)));
            expectBad("bias", () -> be.matmul(new MatmulArgs(x, w, halfBias, out)));
            assertArrayEquals(guard(3), out.toFloatArray(), "failed calls wrote nothing");
            be.matmul(new MatmulArgs(x, w, bias, out));
            assertArrayEquals(new float[] {13, 22, 32}, out.toFloatArray());
            be.matmul(new MatmulArgs(x, w, out));
            assertArrayEquals(new float[] {3, 2, 2}, out.toFloatArray());
        }
    }

    /** Called with arguments Java never validated, the native entry points refuse, say why and write nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("nativeBackends")
    void nativeEntryPointsRecheck(String name) {
        Backend be = Backends.get(name);
        boolean cpu = name.equals(CpuBackend.NAME);
        NativeArgs marshal = cpu ? new NativeArgs(NativeStorage::address, NativeArgs.HOST)
                : new NativeArgs(AscendStorage::address, NativeArgs.DEVICE);
        Supplier<String> lastError = () -> cpu ? CpuKernels.npukit_last_error().getString()
                : AscendKernels.npukit_ascend_last_error().getString();
        try (Tensor table = be.fromFloats(DType.F32, new float[] {1, 2, 3, 4}, 2, 2);
                Tensor ids = be.fromInts(new int[] {0, 7}, 2);
                Tensor out = be.fromFloats(DType.F32, guard(4), 2, 2);
                Tensor gu = be.fromFloats(DType.F32, new float[6], 1, 6);
                Tensor w = be.fromFloats(DType.F32, new float[] {1, 1}, 2);
                Tensor bias = be.fromFloats(DType.F32, new float[3], 3)) {
            EmbeddingArgs e = new EmbeddingArgs(table, ids, out);
            expectStatus(2, cpu ? () -> CpuKernels.npukit_cpu_embedding(marshal.embedding(e))
                    : () -> AscendKernels.npukit_ascend_embedding(marshal.embedding(e)), lastError, "ids[1] = 7");
            RmsNormArgs r = new RmsNormArgs(table, null, w, table, 1e-6f);
            expectStatus(1, cpu ? () -> CpuKernels.npukit_cpu_rms_norm(marshal.rmsNorm(r))
                    : () -> AscendKernels.npukit_ascend_rms_norm(marshal.rmsNorm(r)), lastError, "out shares memory");
            RmsNormArgs negative = new RmsNormArgs(table, null, w, out, -1f);
            expectStatus(1, cpu ? () -> CpuKernels.npukit_cpu_rms_norm(marshal.rmsNorm(negative))
                    : () -> AscendKernels.npukit_ascend_rms_norm(marshal.rmsNorm(negative)), lastError, "eps");
            SiluMulArgs s = new SiluMulArgs(gu, out);
            expectStatus(2, cpu ? () -> CpuKernels.npukit_cpu_silu_mul(marshal.siluMul(s))
                    : () -> AscendKernels.npukit_ascend_silu_mul(marshal.siluMul(s)), lastError, "out dimension 0");
            MatmulArgs m = new MatmulArgs(table, table, bias, out);
            expectStatus(2, cpu ? () -> CpuKernels.npukit_cpu_matmul(marshal.matmul(m))
                    : () -> AscendKernels.npukit_ascend_matmul(marshal.matmul(m)), lastError, "bias dimension 0");
            assertArrayEquals(guard(4), out.toFloatArray(), "refused calls wrote nothing");
            assertArrayEquals(new float[] {1, 2, 3, 4}, table.toFloatArray(), "refused calls wrote nothing");
        }
    }

    private static void expectStatus(int status, IntSupplier call, Supplier<String> lastError, String says) {
        assertEquals(status, call.getAsInt(), lastError.get());
        assertTrue(lastError.get().contains(says), lastError.get());
    }
}
