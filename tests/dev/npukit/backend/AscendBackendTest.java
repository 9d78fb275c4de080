package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.bridge.EmuRuleKernels;
import dev.npukit.bridge.NativeAbi;
import dev.npukit.internal.AscendStorage;
import dev.npukit.internal.NativeArgs;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.IntPointer;
import org.junit.jupiter.api.Test;

/**
 * The ascend backend itself, in the mode this tree was built in (emu on a machine without CANN,
 * which is what 'mvn verify' builds here): discovery and info, device memory, native re-checks
 * with nothing written, ACL errors and emulator rule violations arriving as exceptions, and the
 * matmul kernel (not yet reachable through Backend) against a Java loop.
 */
class AscendBackendTest {
    private static final float GUARD = 777.25f;

    private static AscendBackend ascend() {
        BackendInfo info = Backends.info(AscendBackend.NAME);
        assertTrue(info.available(), "ascend must be available in a built tree (emu without CANN): " + info.reason());
        return (AscendBackend) Backends.get(AscendBackend.NAME);
    }

    @Test
    void availableAsEmulatorAndNeverReportedAsAnNpu() {
        AscendBackend b = ascend();
        BackendInfo info = b.info();
        assertEquals(AscendKernels.npukit_ascend_mode().getString(), info.mode());
        if (info.mode().equals("emu")) {
            assertTrue(info.reason().contains("emulator") && info.reason().contains("not NPU performance"),
                    info.reason());
            assertEquals("cpu", Backends.best().name(), "the emulator is never picked as the best backend");
        } else {
            assertEquals("npu", info.mode());
        }
        assertTrue(AvailableBackends.underTest().contains(AscendBackend.NAME), "equality suites run ascend");
    }

    @Test
    void deviceMemoryRoundTripsEveryDtypeAndViews() {
        AscendBackend b = ascend();
        float[] data = {1.5f, -2.25f, 3e-5f, 65504f, -0f, 1e30f, Float.NaN, 7f};
        for (DType dt : new DType[] {DType.F32, DType.F16, DType.BF16}) {
            try (Tensor ref = Backends.get(ReferenceBackend.NAME).fromFloats(dt, data, 2, 4);
                    Tensor t = b.fromFloats(dt, data, 2, 4)) {
                assertArrayEquals(ref.toFloatArray(), t.toFloatArray(), dt.toString());
                Tensor row = t.view(4, 4);
                assertArrayEquals(Arrays.copyOfRange(ref.toFloatArray(), 4, 8), row.toFloatArray());
            }
        }
        try (Tensor z = b.allocate(DType.I32, 1000)) {
            assertArrayEquals(new int[1000], z.toIntArray(), "allocations are zero-filled");
        }
    }

    @Test
    void aclErrorsBecomeExceptionsNamingTheCallAndCode() {
        AscendBackend b = ascend();
        // More than the (emulated) device memory: aclrtMalloc fails with ACL_ERROR_RT_MEMORY_ALLOCATION.
        NpukitException e = assertThrows(NpukitException.class, () -> b.allocate(DType.F32, 1L << 40));
        assertTrue(e.getMessage().contains("aclrtMalloc") && e.getMessage().contains("ACL error 207001"),
                e.getMessage());
    }

    @Test
    void emulatorRuleViolationsReachJavaAsErrors() {
        AscendBackend b = ascend();
        if (!b.mode().equals("emu")) {
            assertNotEquals(0, EmuRuleKernels.npukit_emu_test_break_rule(0), "npu builds refuse the demo");
            return;
        }
        String[] rules = {"alignment", "unified-buffer capacity", "global-memory bounds", "queue discipline",
            "queue discipline", "alignment", "local-tensor bounds", "cross-core access"};
        for (int rule = 0; rule < rules.length; rule++) {
            int status = EmuRuleKernels.npukit_emu_test_break_rule(rule);
            String message = EmuRuleKernels.npukit_emu_test_last_error().getString();
            assertEquals(NativeAbi.NPUKIT_ERR_DEVICE(), status, message);
            assertTrue(message.contains("ACL error 507015") && message.contains("AscendC emulator:")
                    && message.contains("(rule: " + rules[rule] + ")"), message);
        }
        assertEquals(NativeAbi.NPUKIT_ERR_ARGUMENT(), EmuRuleKernels.npukit_emu_test_break_rule(8), "unknown rule");
        // The backend still works afterwards.
        try (Tensor t = b.fromFloats(DType.F32, new float[] {1, 2}, 2)) {
            assertArrayEquals(new float[] {1, 2}, t.toFloatArray());
        }
    }

    @Test
    void nativeLaunchersRecheckAndWriteNothing() {
        AscendBackend b = ascend();
        float[] guarded = new float[32];
        Arrays.fill(guarded, GUARD);
        try (Tensor q = b.fromFloats(DType.F32, new float[16], 2, 1, 8);
                Tensor k = b.allocate(DType.F32, 4, 4, 1, 8);
                Tensor out = b.fromFloats(DType.F32, guarded, 2, 2, 8);
                Tensor cs = b.fromFloats(DType.F32, RopeTables.cosSin(16, 8, 10000), 16, 8);
                Tensor table = b.fromInts(new int[] {0, 9}, 1, 2);
                Tensor lens = b.fromInts(new int[] {6}, 1);
                Tensor starts = b.fromInts(new int[] {0, 2}, 2)) {
            Tensor o = out.view(0, 2, 1, 8);
            NativeArgs device = new NativeArgs(AscendStorage::address, NativeArgs.DEVICE);
            int status = AscendKernels.npukit_ascend_paged_attention(device.attention(
                    new AttentionArgs(q, k, k, table, lens, starts, cs, RopeStyle.NEOX, 8, 1f, o),
                    new AttentionShape(2, 1, 1, 8, 4, 4, 1, 2, 8, 16, 1f)));
            assertEquals(2, status);
            assertTrue(AscendKernels.npukit_ascend_last_error().getString()
                    .contains("block_tables[0][1] = 9"), AscendKernels.npukit_ascend_last_error().getString());
            assertArrayEquals(guarded, out.toFloatArray(), "nothing written");

            // With host copies of the indices the launcher checks those, copying nothing from the device.
            try (Tensor goodTable = b.fromInts(new int[] {0, 1}, 1, 2);
                    IntPointer badCopy = new IntPointer(new int[] {0, 9});
                    IntPointer lensCopy = new IntPointer(new int[] {6});
                    IntPointer startsCopy = new IntPointer(new int[] {0, 2})) {
                NativeAbi.npukit_attention_args args = device.attention(
                        new AttentionArgs(q, k, k, goodTable, lens, starts, cs, RopeStyle.NEOX, 8, 1f, o),
                        new AttentionShape(2, 1, 1, 8, 4, 4, 1, 2, 8, 16, 1f));
                NativeAbi.npukit_tensor_set(args.block_tables(), AscendStorage.address(goodTable), DType.I32.code(), 2, 1,
                        2, 0, 0, 2, NativeArgs.DEVICE, badCopy.address());
                NativeAbi.npukit_tensor_set(args.seq_lens(), AscendStorage.address(lens), DType.I32.code(), 1, 1, 0, 0, 0,
                        1, NativeArgs.DEVICE, lensCopy.address());
                NativeAbi.npukit_tensor_set(args.query_start_loc(), AscendStorage.address(starts), DType.I32.code(), 1, 2,
                        0, 0, 0, 2, NativeArgs.DEVICE, startsCopy.address());
                long[] before = new long[4];
                long[] after = new long[4];
                boolean counted = AscendKernels.npukit_ascend_copy_counts(before) == 0;
                assertEquals(2, AscendKernels.npukit_ascend_paged_attention(args));
                assertTrue(AscendKernels.npukit_ascend_last_error().getString().contains("block_tables[0][1] = 9"),
                        AscendKernels.npukit_ascend_last_error().getString());
                if (counted) {
                    assertEquals(0, AscendKernels.npukit_ascend_copy_counts(after));
                    assertEquals(before[1], after[1], "device-to-host copies");
                }
            }
            assertArrayEquals(guarded, out.toFloatArray(), "nothing written");
        }
        try (Tensor x = b.fromFloats(DType.F32, new float[] {1, 2, 3, 4}, 1, 4);
                Tensor a = b.fromFloats(DType.F32, new float[8], 2, 1, 4);
                Tensor idx = b.fromInts(new int[] {2}, 1);
                Tensor y = b.fromFloats(DType.F32, new float[] {GUARD}, 1, 1)) {
            NativeArgs device = new NativeArgs(AscendStorage::address, NativeArgs.DEVICE);
            int status = AscendKernels.npukit_ascend_bgmv_shrink(device.bgmvShrink(new BgmvShrinkArgs(x, a, idx, y, 1f)));
            assertEquals(2, status);
            assertTrue(AscendKernels.npukit_ascend_last_error().getString().contains("indices[0] = 2"));
            assertArrayEquals(new float[] {GUARD}, y.toFloatArray());
        }
    }

}
