package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.nio.IntBuffer;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * An I32 tensor filled from an int array keeps a host copy of its values: rope's positions and
 * BGMV's indices are then validated, and checked by the ascend launchers, without a copy back
 * from the device. The copy is never stale: every write through the Tensor API and every kernel
 * that writes I32 tensors drops it.
 */
class IndexHostCopyTest {

    static Stream<String> backends() {
        return AvailableBackends.all().stream();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void readsFollowEveryWrite(String backend) {
        Backend b = Backends.get(backend);
        try (Tensor t = b.fromInts(new int[] {1, 2, 3, 4}, 4)) {
            assertArrayEquals(new int[] {1, 2, 3, 4}, t.toIntArray());
            t.writeInts(1, new int[] {9});
            assertArrayEquals(new int[] {1, 9, 3, 4}, t.toIntArray());
            t.copyFrom(new int[] {5, 6, 7, 8});
            try (Tensor v = t.view(1, 2)) {
                assertArrayEquals(new int[] {6, 7}, v.toIntArray(), "a view reads its own slice of the kept copy");
                v.writeInts(0, new int[] {-1});
            }
            assertArrayEquals(new int[] {5, -1, 7, 8}, t.toIntArray(), "a write through a view drops the copy");
            t.copyFrom(new int[] {5, 6, 7, 8});
            t.copyFrom(IntBuffer.wrap(new int[] {10, 11, 12, 13}));
            assertArrayEquals(new int[] {10, 11, 12, 13}, t.toIntArray(), "a buffer copy drops the copy");
            assertArrayEquals(new int[] {11, 12}, t.readInts(1, 2));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void contrastiveOutputsAreNotReadFromAStaleCopy(String backend) {
        Backend b = Backends.get(backend);
        float[] expert = {0f, 5f, 1f, 2f, 3f, 0f, 1f, 2f};
        float[] base = {0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f};
        try (Tensor e = b.fromFloats(DType.F32, expert, 2, 4); Tensor ba = b.fromFloats(DType.F32, base, 2, 4);
                Tensor token = b.fromInts(new int[] {-7, -7}, 2); Tensor score = b.allocate(DType.F32, 2);
                Tensor valid = b.fromInts(new int[] {-7, -7}, 2)) {
            b.contrastive(ContrastiveArgs.builder().separate(e, ba).outputs(token, score, valid).build());
            assertArrayEquals(new int[] {1, 0}, token.toIntArray(), "argmax of each expert row");
            for (int v : valid.toIntArray()) {
                assertTrue(v > 0, "valid count written by the kernel: " + v);
            }
        }
    }

    /** {device-to-host copies by the caller, by the launchers} during {@code call}. */
    private static long[] deviceToHostCopies(Runnable call) {
        long[] before = counts();
        call.run();
        long[] after = counts();
        long caller = after[3] - before[3];
        return new long[] {caller, after[1] - before[1] - caller};
    }

    private static long[] counts() {
        long[] counts = new long[4];
        assertEquals(0, AscendKernels.npukit_ascend_copy_counts(counts));
        return counts;
    }

    @Test
    void ascendIndexChecksCopyNothingBack() {
        if (!AvailableBackends.all().contains(AscendBackend.NAME)
                || !((AscendBackend) Backends.get(AscendBackend.NAME)).mode().equals("emu")) {
            return;  // only the emulator counts copies (AscendBackendTest checks the mode)
        }
        Backend b = Backends.get(AscendBackend.NAME);
        Random r = new Random(5);
        float[] rows = new float[3 * 4 * 16];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) r.nextGaussian();
        }
        try (Tensor kept = b.fromInts(new int[] {0, 7, 15}, 3); Tensor written = b.allocate(DType.I32, 3);
                Tensor cosSin = b.fromFloats(DType.F32, RopeTables.cosSin(16, 16, 10000.0), 16, 16);
                Tensor x1 = b.fromFloats(DType.F32, rows, 3, 4, 16); Tensor x2 = b.fromFloats(DType.F32, rows, 3, 4, 16)) {
            written.writeInts(0, new int[] {0, 7, 15});
            assertCopies(new long[] {0, 0}, () -> b.rope(new RopeArgs(x1, kept, cosSin, RopeStyle.NEOX)), "rope, kept");
            long[] control = deviceToHostCopies(() -> b.rope(new RopeArgs(x2, written, cosSin, RopeStyle.NEOX)));
            assertTrue(control[0] > 0 && control[1] > 0, "rope without a kept copy reads the positions back: "
                    + control[0] + " caller, " + control[1] + " launcher copies");
            assertArrayEquals(x2.toFloatArray(), x1.toFloatArray(), "same rotation either way");
        }
        try (Tensor x = b.fromFloats(DType.F32, new float[2 * 16], 2, 16); Tensor a = b.allocate(DType.F32, 3, 4, 16);
                Tensor idx = b.fromInts(new int[] {0, 2}, 2); Tensor y = b.allocate(DType.F32, 2, 4);
                Tensor v = b.allocate(DType.F32, 2, 4); Tensor w = b.allocate(DType.F32, 3, 8, 4);
                Tensor expandIdx = b.fromInts(new int[] {1, -1}, 2); Tensor out = b.allocate(DType.F32, 2, 8)) {
            assertCopies(new long[] {0, 0}, () -> b.bgmvShrink(new BgmvShrinkArgs(x, a, idx, y, 1f)), "bgmv shrink");
            assertCopies(new long[] {0, 0}, () -> b.bgmvExpand(new BgmvExpandArgs(v, w, expandIdx, out, 0)),
                    "bgmv expand");
        }
    }

    private static void assertCopies(long[] expected, Runnable call, String what) {
        long[] got = deviceToHostCopies(call);
        assertArrayEquals(expected, got, what + ": {caller, launcher} device-to-host copies");
    }
}
