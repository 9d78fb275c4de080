package dev.npukit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.check.KernelCheck;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The README's Java example, compiled and run, so the README cannot drift from the API. */
class ReadmeExampleTest {

    /** The example as printed in the README (between the markers), on the given backend. */
    static float[] example(Backend npu, float[] keys, float[] values, float[] query) {
        // README example begins
        int blocks = 64, blockSize = 16, kvHeads = 2, heads = 8, dim = 64, maxPos = 4096;
        int[] slotMapping = new int[20];                 // 20 tokens: block 7 (16 slots), then block 3
        for (int t = 0; t < 20; t++) {
            slotMapping[t] = (t < 16 ? 7 : 3) * blockSize + t % blockSize;
        }
        try (Tensor kCache = npu.allocate(DType.F16, blocks, blockSize, kvHeads, dim);
                Tensor vCache = npu.allocate(DType.F16, blocks, blockSize, kvHeads, dim);
                Tensor cosSin = npu.fromFloats(DType.F32, RopeTables.cosSin(maxPos, dim, 10000.0), maxPos, dim);
                Tensor key = npu.fromFloats(DType.F32, keys, 20, kvHeads, dim);
                Tensor value = npu.fromFloats(DType.F32, values, 20, kvHeads, dim);
                Tensor slots = npu.fromInts(slotMapping, 20);
                Tensor q = npu.fromFloats(DType.F32, query, 1, heads, dim);    // decode: one query row
                Tensor out = npu.allocate(DType.F32, 1, heads, dim);
                Tensor tables = npu.fromInts(new int[] {7, 3}, 1, 2);
                Tensor seqLens = npu.fromInts(new int[] {20}, 1);
                Tensor starts = npu.fromInts(new int[] {0, 1}, 2)) {
            npu.writeKv(new WriteKvArgs(key, value, kCache, vCache, slots)); // stored without rotation (NoPE)
            npu.pagedAttention(AttentionArgs.builder()
                    .q(q).kvCache(kCache, vCache).blockTables(tables).seqLens(seqLens).queryStartLoc(starts)
                    .rope(RopeStyle.NEOX, cosSin)                           // rotated inside the kernel
                    .out(out).build());
            return out.toFloatArray();
        }
        // README example ends
    }

    @Test
    void exampleRunsAndAgreesAcrossBackends() {
        Random r = new Random(1);
        float[] keys = new float[20 * 2 * 64];
        float[] values = new float[keys.length];
        float[] query = new float[8 * 64];
        for (float[] a : new float[][] {keys, values, query}) {
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) r.nextGaussian();
            }
        }
        float[] best = example(Backends.best(), keys, values, query);
        float[] reference = example(Backends.get("reference"), keys, values, query);
        double maxRef = 0;
        for (float x : reference) {
            maxRef = Math.max(maxRef, Math.abs(x));
        }
        assertTrue(maxRef > 0.05, "attention output should not vanish");
        double err = KernelCheck.relativeError(best, reference, DType.F32);
        assertTrue(err <= 2e-3, "best backend vs reference: " + err);
    }
}
