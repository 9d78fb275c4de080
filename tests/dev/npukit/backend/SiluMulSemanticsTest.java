package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * docs/kernels.md, SiLU and multiply: element by element, over gates from -120 to 120 (past
 * exp's F32 range on both sides), every backend is within 1e-6 of the reference wherever the
 * result exceeds 1e-30 in magnitude, and exactly at the edges the contract defines.
 */
class SiluMulSemanticsTest {
    static List<String> backends() {
        return AvailableBackends.all();
    }

    private static float[] run(Backend be, float[] gateUp, int n) {
        try (Tensor gu = be.fromFloats(DType.F32, gateUp, 1, 2L * n);
                Tensor out = be.allocate(DType.F32, 1, n)) {
            be.siluMul(new SiluMulArgs(gu, out));
            return out.toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void closeToTheReferenceAcrossTheRangeAndExactAtTheEdges(String name) {
        int n = 200_000;
        float[] gu = new float[2 * n];
        for (int i = 0; i < n; i++) {
            gu[i] = -120f + 240f * i / n;
            gu[n + i] = i % 2 == 0 ? 1f : -3f;
        }
        float[] ref = run(Backends.get(ReferenceBackend.NAME), gu, n);
        float[] got = run(Backends.get(name), gu, n);
        for (int i = 0; i < n; i++) {
            if (Math.abs(ref[i]) > 1e-30) {
                double rel = Math.abs((double) got[i] - ref[i]) / Math.abs(ref[i]);
                assertTrue(rel <= 1e-6, "gate " + gu[i] + ": " + got[i] + ", reference " + ref[i]);
            } else {
                assertTrue(Math.abs(got[i]) <= 1e-30, "gate " + gu[i] + ": " + got[i] + ", reference " + ref[i]);
            }
        }
        float inf = Float.POSITIVE_INFINITY;
        float[] edges = {inf, -inf, Float.MAX_VALUE, -Float.MAX_VALUE, 1e30f, -1e30f, 0f, -0f, -1000f, 100f,
            2f, 2f, 2f, 2f, 2f, 2f, 2f, 2f, 2f, -2f};
        float[] expected = {inf * 2, -0f * 2, Float.MAX_VALUE * 2, -0f * 2, 2e30f, -0f * 2, 0f, -0f * 2, -0f * 2,
            100f * -2};
        float[] e = run(Backends.get(name), edges, 10);
        for (int i = 0; i < 10; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(e[i]),
                    "gate " + edges[i] + " times up " + edges[10 + i] + ": " + e[i] + ", expected " + expected[i]);
        }
    }
}
