package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.bridge.AscendKernels;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Per-step attention metadata: validated once at creation (with the errors the per-call checks
 * give), refused when closed, from another backend or for another cache geometry; attention and
 * the cache write through it equal the tensor form on every backend; on ascend a call through it
 * copies nothing from the device.
 */
class AttentionMetadataTest {

    static Stream<String> backends() {
        return Backends.available().stream().map(Backend::name);
    }

    private static AttentionCase newCase() {
        return new AttentionCase(42, 3, 2, 2, 16, 4, 21, DType.F16, RopeStyle.NEOX, 16);
    }

    private static AttentionMetadata metadata(Backend b, AttentionCase c, int[] slots) {
        return b.attentionMetadata(c.numBlocks, c.blockSize, c.blockTables, c.maxBlocksPerSeq, c.seqLens,
                c.queryStartLoc, slots);
    }

    private static int[] noSlots(AttentionCase c) {
        int[] slots = new int[c.numTokens()];
        java.util.Arrays.fill(slots, -1);
        return slots;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void attentionAndWriteKvThroughMetadataEqualTheTensorForm(String name) {
        Backend b = Backends.get(name);
        AttentionCase c = newCase();
        int[] slots = new int[c.numTokens()];
        for (int t = 0; t < slots.length; t++) {
            slots[t] = (t * 7) % (c.numBlocks * c.blockSize);
        }
        slots[slots.length - 1] = slots[0];  // a repeated slot: the later token wins in both forms
        try (AttentionCase.On plain = c.new On(b);
                AttentionCase.On viaMeta = c.new On(b);
                AttentionMetadata md = metadata(b, c, slots);
                Tensor slotsT = b.fromInts(slots, slots.length);
                Tensor key = b.fromFloats(DType.F32, ramp(c.numTokens() * c.numKvHeads * c.headDim),
                        c.numTokens(), c.numKvHeads, c.headDim)) {
            b.writeKv(new WriteKvArgs(key, key, plain.kT, plain.vT, slotsT));
            b.writeKv(new WriteKvArgs(key, key, viaMeta.kT, viaMeta.vT, md));
            assertArrayEquals(plain.kT.toFloatArray(), viaMeta.kT.toFloatArray(), "writeKv");
            float[] expected = plain.run();
            b.pagedAttention(viaMeta.args().metadata(md).build());
            assertArrayEquals(expected, viaMeta.outT.toFloatArray(), "pagedAttention");
        }
    }

    private static float[] ramp(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i % 17) * 0.25f - 2f;
        }
        return a;
    }

    @Test
    void creationValidatesTheIndicesOnce() {
        Backend b = Backends.get(ReferenceBackend.NAME);
        AttentionCase c = newCase();
        int[] badTable = c.blockTables.clone();
        badTable[0] = c.numBlocks;
        expectBad("blockTables", () -> b.attentionMetadata(c.numBlocks, c.blockSize, badTable, c.maxBlocksPerSeq,
                c.seqLens, c.queryStartLoc, noSlots(c)));
        int[] badSlots = noSlots(c);
        badSlots[1] = c.numBlocks * c.blockSize;
        expectBad("slotMapping", () -> metadata(b, c, badSlots));
        expectBad("slotMapping", () -> metadata(b, c, new int[c.numTokens() + 1]));
        int[] badStarts = c.queryStartLoc.clone();
        badStarts[0] = 1;
        expectBad("queryStartLoc", () -> b.attentionMetadata(c.numBlocks, c.blockSize, c.blockTables,
                c.maxBlocksPerSeq, c.seqLens, badStarts, noSlots(c)));
        int[] badLens = c.seqLens.clone();
        badLens[2] = c.maxBlocksPerSeq * c.blockSize + 1;
        expectBad("seqLens", () -> b.attentionMetadata(c.numBlocks, c.blockSize, c.blockTables, c.maxBlocksPerSeq,
                badLens, c.queryStartLoc, noSlots(c)));
        expectBad("blockSize", () -> b.attentionMetadata(c.numBlocks, 0, c.blockTables, c.maxBlocksPerSeq,
                c.seqLens, c.queryStartLoc, noSlots(c)));
    }

    @Test
    void aCallRefusesAClosedForeignOrMismatchedMetadata() {
        Backend ref = Backends.get(ReferenceBackend.NAME);
        Backend cpu = Backends.get(CpuBackend.NAME);
        AttentionCase c = newCase();
        try (AttentionCase.On on = c.new On(ref); AttentionMetadata foreign = metadata(cpu, c, noSlots(c));
                Tensor key = ref.allocate(DType.F32, c.numTokens(), c.numKvHeads, c.headDim)) {
            expectBad("metadata", () -> ref.pagedAttention(on.args().metadata(foreign).build()));
            expectBad("metadata", () -> ref.writeKv(new WriteKvArgs(key, key, on.kT, on.vT, foreign)));
            AttentionMetadata closed = metadata(ref, c, noSlots(c));
            closed.close();
            expectBad("metadata", () -> ref.pagedAttention(on.args().metadata(closed).build()));
            try (AttentionMetadata fewerBlocks = ref.attentionMetadata(c.numBlocks + 1, c.blockSize, c.blockTables,
                    c.maxBlocksPerSeq, c.seqLens, c.queryStartLoc, noSlots(c))) {
                expectBad("kCache", () -> ref.pagedAttention(on.args().metadata(fewerBlocks).build()));
                expectBad("kCache", () -> ref.writeKv(new WriteKvArgs(key, key, on.kT, on.vT, fewerBlocks)));
            }
            try (AttentionMetadata md = metadata(ref, c, noSlots(c))) {
                AttentionArgs mixed = on.args().metadata(md).blockTables(on.tablesT).build();
                expectBad("metadata", () -> ref.pagedAttention(mixed));
            }
        }
    }

    @Test
    void onAscendACallThroughMetadataCopiesNothingFromTheDevice() {
        AscendBackend b = (AscendBackend) Backends.get(AscendBackend.NAME);
        if (!b.mode().equals("emu")) {
            assertNotEquals(0, AscendKernels.npukit_ascend_copy_counts(new long[4]), "only the emulator counts");
            return;
        }
        AttentionCase c = newCase();
        try (AttentionCase.On on = c.new On(b); AttentionMetadata md = metadata(b, c, noSlots(c));
                Tensor key = b.allocate(DType.F32, c.numTokens(), c.numKvHeads, c.headDim)) {
            b.pagedAttention(on.args().metadata(md).build());  // the host copies are made on first use
            long before = deviceToHost();
            b.pagedAttention(on.args().metadata(md).build());
            b.writeKv(new WriteKvArgs(key, key, on.kT, on.vT, md));
            assertEquals(0, deviceToHost() - before, "device-to-host copies of calls through metadata");
            before = deviceToHost();
            b.pagedAttention(on.args().build());
            // The tensors were filled from int arrays, so validation reads their kept host copies;
            // the launcher still reads the three index tensors back.
            assertTrue(deviceToHost() - before >= 3, "the tensor form reads the three index tensors back");
        }
    }

    /** Device-to-host copies so far (emulator counters). */
    static long deviceToHost() {
        long[] counts = new long[4];
        assertEquals(0, AscendKernels.npukit_ascend_copy_counts(counts),
                AscendKernels.npukit_ascend_last_error().getString());
        return counts[1];
    }

    private static void expectBad(String argument, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(argument), e.getMessage());
    }
}
