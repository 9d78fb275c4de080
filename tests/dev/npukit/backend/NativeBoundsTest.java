package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.CpuKernels;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The native layer trusts nothing: called directly (bypassing Java validation) with indices or
 * sizes that would reach outside its buffers, it returns an error, says why, and writes nothing.
 */
class NativeBoundsTest {
    private static final float GUARD = 777.25f;

    @Test
    void attentionRejectsWhatJavaWouldHaveCaught() {
        CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
        int blocks = 4;
        int bs = 4;
        int kvh = 1;
        int d = 8;
        float[] guarded = new float[2 * 16 + 2 * d];
        Arrays.fill(guarded, GUARD);
        try (Tensor q = cpu.fromFloats(DType.F32, new float[2 * d], 2, 1, d);
                Tensor k = cpu.allocate(DType.F32, blocks, bs, kvh, d);
                Tensor v = cpu.allocate(DType.F32, blocks, bs, kvh, d);
                Tensor outBuf = cpu.fromFloats(DType.F32, guarded, guarded.length);
                Tensor cs = cpu.fromFloats(DType.F32, RopeTables.cosSin(16, d, 10000), 16, d)) {
            Tensor out = outBuf.view(16, 2, 1, d);
            // Each row: block table, seq lens, query start, numBlocks claimed, what it breaks.
            Object[][] cases = {
                {new int[] {0, 9}, new int[] {6}, new int[] {0, 2}, blocks, "block id past numBlocks"},
                {new int[] {0, -3}, new int[] {6}, new int[] {0, 2}, blocks, "negative block id"},
                {new int[] {0, 1}, new int[] {9}, new int[] {0, 2}, blocks, "seq len past the table"},
                {new int[] {0, 1}, new int[] {1}, new int[] {0, 2}, blocks, "seq len shorter than q rows"},
                {new int[] {0, 1}, new int[] {6}, new int[] {0, 1}, blocks, "query_start_loc not ending at 2"},
                {new int[] {0, 1}, new int[] {6}, new int[] {0, 2}, blocks + 5, "cache smaller than claimed"},
            };
            for (Object[] c : cases) {
                try (Tensor table = cpu.fromInts((int[]) c[0], 1, 2);
                        Tensor lens = cpu.fromInts((int[]) c[1], 1);
                        Tensor starts = cpu.fromInts((int[]) c[2], 2)) {
                    int status = CpuKernels.npukit_paged_attention(CpuBackend.addr(q), 0, q.numel(),
                            CpuBackend.addr(k), CpuBackend.addr(v), 0, k.numel(),
                            CpuBackend.addr(table), 2, CpuBackend.addr(lens), CpuBackend.addr(starts), 1,
                            CpuBackend.addr(cs), cs.numel(), CpuBackend.addr(out), 0, out.numel(),
                            2, 1, kvh, d, (Integer) c[3], bs, 2, RopeStyle.NEOX.code(), d, 1f);
                    assertNotEquals(0, status, (String) c[4]);
                    assertTrue(CpuKernels.npukit_last_error().getString().startsWith("paged_attention:"),
                            CpuKernels.npukit_last_error().getString());
                    assertArrayEquals(guarded, outBuf.toFloatArray(), "output written despite " + c[4]);
                }
            }
        }
    }

    @Test
    void writeKvAndRopeRejectOutOfRangeIndices() {
        CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
        try (Tensor kv = cpu.fromFloats(DType.F32, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 4);
                Tensor cache = cpu.fromFloats(DType.F32, filled(32), 4, 2, 1, 4);
                Tensor badSlots = cpu.fromInts(new int[] {0, 8}, 2);
                Tensor positions = cpu.fromInts(new int[] {0, 16}, 2);
                Tensor cs = cpu.fromFloats(DType.F32, RopeTables.cosSin(16, 4, 10000), 16, 4)) {
            int status = CpuKernels.npukit_write_kv(CpuBackend.addr(kv), 0, CpuBackend.addr(kv), 0, kv.numel(),
                    CpuBackend.addr(cache), CpuBackend.addr(cache), 0, cache.numel(), CpuBackend.addr(badSlots),
                    2, 1, 4, 4, 2);
            assertEquals(2, status, CpuKernels.npukit_last_error().getString());
            assertTrue(CpuKernels.npukit_last_error().getString().contains("slot_mapping[1] = 8"));
            assertArrayEquals(filled(32), cache.toFloatArray(), "cache written despite a bad slot");

            status = CpuKernels.npukit_rope(CpuBackend.addr(kv), 0, kv.numel(), CpuBackend.addr(positions),
                    CpuBackend.addr(cs), cs.numel(), 2, 1, 4, 4, RopeStyle.NEOX.code());
            assertEquals(2, status, CpuKernels.npukit_last_error().getString());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, kv.toFloatArray(), "x rotated despite a bad position");

            status = CpuKernels.npukit_rope(0L, 0, 8, CpuBackend.addr(positions), CpuBackend.addr(cs), cs.numel(),
                    2, 1, 4, 4, RopeStyle.NEOX.code());
            assertEquals(1, status, "null x must be refused");
        }
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, GUARD);
        return a;
    }
}
