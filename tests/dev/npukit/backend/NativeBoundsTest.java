package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.CpuKernels;
import dev.npukit.bridge.NativeAbi.npukit_attention_args;
import dev.npukit.bridge.NativeAbi;
import dev.npukit.internal.NativeArgs;
import dev.npukit.internal.NativeStorage;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The native layer trusts nothing: called directly (bypassing Java validation) with indices,
 * shapes or descriptors that would reach outside its buffers, it returns an error, says why, and
 * writes nothing.
 */
class NativeBoundsTest {
    private static final float GUARD = 777.25f;
    /** Marshals argument records that were never validated. */
    private static final NativeArgs HOST = new NativeArgs(NativeStorage::address, NativeArgs.HOST);

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
                    npukit_attention_args args = HOST.attention(
                            new AttentionArgs(q, k, v, table, lens, starts, cs, RopeStyle.NEOX, d, 1f, out),
                            new AttentionShape(2, 1, kvh, d, blocks, bs, 1, 2, d, 16, 1f));
                    args.k_cache().shape(0, (Integer) c[3]);
                    int status = CpuKernels.npukit_cpu_paged_attention(args);
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
            int status = CpuKernels.npukit_cpu_write_kv(HOST.writeKv(new WriteKvArgs(kv, kv, cache, cache, badSlots)));
            assertEquals(2, status, CpuKernels.npukit_last_error().getString());
            assertTrue(CpuKernels.npukit_last_error().getString().contains("slot_mapping[1] = 8"));
            assertArrayEquals(filled(32), cache.toFloatArray(), "cache written despite a bad slot");

            RopeArgs rope = new RopeArgs(kv, positions, cs, RopeStyle.NEOX, 4);
            RopeArgs.Shape ropeShape = new RopeArgs.Shape(2, 1, 4, 4, 16);
            status = CpuKernels.npukit_cpu_rope(HOST.rope(rope, ropeShape));
            assertEquals(2, status, CpuKernels.npukit_last_error().getString());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, kv.toFloatArray(), "x rotated despite a bad position");

            NativeAbi.npukit_rope_args nullX = HOST.rope(rope, ropeShape);
            NativeAbi.npukit_tensor_set(nullX.x(), 0L, 0, 3, 2, 1, 4, 0, 8, NativeArgs.HOST, 0L);
            assertEquals(1, CpuKernels.npukit_cpu_rope(nullX), "null x must be refused");

            NativeAbi.npukit_rope_args device = HOST.rope(rope, ropeShape);
            device.x().location(NativeArgs.DEVICE);
            assertEquals(1, CpuKernels.npukit_cpu_rope(device), "a device tensor must be refused");
            assertTrue(CpuKernels.npukit_last_error().getString().contains("device memory"),
                    CpuKernels.npukit_last_error().getString());
        }
    }

    @Test
    void anUnknownKvLayoutIsRefusedBeforeAnythingIsWritten() {
        CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
        int d = 4;
        float[] guarded = filled(2 * d);
        try (Tensor q = cpu.fromFloats(DType.F32, new float[2 * d], 2, 1, d);
                Tensor kv = cpu.fromFloats(DType.F32, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 4);
                Tensor cache = cpu.fromFloats(DType.F32, filled(32), 4, 2, 1, 4);
                Tensor slots = cpu.fromInts(new int[] {0, 1}, 2);
                Tensor out = cpu.fromFloats(DType.F32, guarded, 2, 1, d);
                Tensor table = cpu.fromInts(new int[] {0, 1}, 1, 2);
                Tensor lens = cpu.fromInts(new int[] {3}, 1);
                Tensor starts = cpu.fromInts(new int[] {0, 2}, 2)) {
            for (int layout : new int[] {2, -1}) {
                NativeAbi.npukit_write_kv_args w = HOST.writeKv(new WriteKvArgs(kv, kv, cache, cache, slots));
                assertEquals(1, CpuKernels.npukit_cpu_write_kv(w.kv_layout(layout)), "kv_layout " + layout);
                assertTrue(CpuKernels.npukit_last_error().getString().contains("unknown kv_layout " + layout),
                        CpuKernels.npukit_last_error().getString());
                assertArrayEquals(filled(32), cache.toFloatArray(), "cache written despite kv_layout " + layout);

                npukit_attention_args a = HOST.attention(
                        new AttentionArgs(q, cache, cache, table, lens, starts, null, RopeStyle.NONE, d, 1f, out),
                        new AttentionShape(2, 1, 1, d, 4, 2, 1, 2, 0, 0, 1f));
                assertEquals(1, CpuKernels.npukit_cpu_paged_attention(a.kv_layout(layout)), "kv_layout " + layout);
                assertTrue(CpuKernels.npukit_last_error().getString().contains("unknown kv_layout " + layout),
                        CpuKernels.npukit_last_error().getString());
                assertArrayEquals(guarded, out.toFloatArray(), "output written despite kv_layout " + layout);
            }
        }
    }

    @Test
    void theHndLayoutReadsTheSlotsAndHeadsFromTheirOwnDimensions() {
        CpuBackend cpu = (CpuBackend) Backends.get(CpuBackend.NAME);
        // As HND, a [4, 2, 1, 4] cache has 2 KV heads and blocks of 1 slot: keys of 1 KV head do not fit it.
        try (Tensor kv = cpu.fromFloats(DType.F32, new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 4);
                Tensor cache = cpu.fromFloats(DType.F32, filled(32), 4, 2, 1, 4);
                Tensor slots = cpu.fromInts(new int[] {0, 1}, 2)) {
            NativeAbi.npukit_write_kv_args w = HOST.writeKv(new WriteKvArgs(kv, kv, cache, cache, slots));
            assertEquals(2, CpuKernels.npukit_cpu_write_kv(w.kv_layout(KvLayout.HND.code())));
            assertTrue(CpuKernels.npukit_last_error().getString().contains("k_cache dimension 1 is 2, expected 1"),
                    CpuKernels.npukit_last_error().getString());
            assertArrayEquals(filled(32), cache.toFloatArray(), "cache written despite the wrong shape");
        }
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, GUARD);
        return a;
    }
}
