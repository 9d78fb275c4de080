package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Thousands of calls with corrupted arguments on every backend. Each must throw a clear
 * IllegalArgumentException (never crash, never write): the outputs live inside larger tensors
 * filled with guard values, and after every call the whole buffer, output included, is unchanged.
 */
class CorruptedCallFuzzTest {
    private static final float GUARD = -12345.5f;
    private static final int CALLS = 1200;
    private static final int NUM_BLOCKS = 8;
    private static final int BLOCK = 4;
    private static final int KV_HEADS = 2;
    private static final int HEADS = 4;
    private static final int DIM = 16;
    private static final int GUARD_ELEMS = 64;

    static List<String> backends() {
        return AvailableBackends.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void corruptedCallsThrowAndWriteNothing(String name) {
        Backend b = Backends.get(name);
        Random r = new Random(name.hashCode());
        int outElems = 3 * HEADS * DIM;
        int cacheElems = NUM_BLOCKS * BLOCK * KV_HEADS * DIM;
        float[] guardedOut = filled(outElems + 2 * GUARD_ELEMS);
        float[] guardedCache = filled(cacheElems + 2 * GUARD_ELEMS);
        int[] kinds = new int[17];
        try (Tensor outBuf = b.fromFloats(DType.F32, guardedOut, guardedOut.length);
                Tensor kBuf = b.fromFloats(DType.F32, guardedCache, guardedCache.length);
                Tensor vBuf = b.fromFloats(DType.F32, guardedCache, guardedCache.length);
                Tensor q = b.fromFloats(DType.F32, random(r, outElems), 3, HEADS, DIM);
                Tensor cosSin = b.fromFloats(DType.F32, RopeTables.cosSin(64, DIM, 10000), 64, DIM);
                Tensor kv = b.fromFloats(DType.F32, random(r, 2 * KV_HEADS * DIM), 2, KV_HEADS, DIM)) {
            Tensor out = outBuf.view(GUARD_ELEMS, 3, HEADS, DIM);
            Tensor k = kBuf.view(GUARD_ELEMS, NUM_BLOCKS, BLOCK, KV_HEADS, DIM);
            Tensor v = vBuf.view(GUARD_ELEMS, NUM_BLOCKS, BLOCK, KV_HEADS, DIM);
            for (int call = 0; call < CALLS; call++) {
                List<Tensor> temp = new ArrayList<>();
                int kind = r.nextInt(kinds.length);
                kinds[kind]++;
                IllegalArgumentException thrown = null;
                try {
                    corruptCall(b, r, kind, temp, q, k, v, out, cosSin, kv);
                } catch (IllegalArgumentException e) {
                    thrown = e;
                } finally {
                    temp.forEach(Tensor::close);
                }
                assertNotNull(thrown, "call " + call + " (corruption " + kind + ") did not throw");
                assertTrue(thrown.getMessage() != null && thrown.getMessage().contains(":"),
                        "unclear message: " + thrown.getMessage());
                if (call % 10 == 0 || kind >= 12) {
                    assertArrayEquals(guardedOut, outBuf.toFloatArray(), "output or its guards changed, call " + call);
                    assertArrayEquals(guardedCache, kBuf.toFloatArray(), "key cache changed, call " + call);
                    assertArrayEquals(guardedCache, vBuf.toFloatArray(), "value cache changed, call " + call);
                }
            }
            assertArrayEquals(guardedOut, outBuf.toFloatArray());
        }
        for (int i = 0; i < kinds.length; i++) {
            assertTrue(kinds[i] > 0, "corruption kind " + i + " never drawn: " + Arrays.toString(kinds));
        }
        assertEquals(CALLS, Arrays.stream(kinds).sum());
    }

    /** A valid call with exactly one corruption of the given kind. */
    private static void corruptCall(Backend b, Random r, int kind, List<Tensor> temp, Tensor q, Tensor k, Tensor v,
            Tensor out, Tensor cosSin, Tensor kv) {
        // Valid baseline: sequences of lengths 6 and 11, 1 and 2 query rows, 3-entry block tables.
        int[] tables = {5, 2, 7, 0, 3, 6};
        int[] lens = {6, 11};
        int[] starts = {0, 1, 3};
        int rotaryDim = DIM;
        RopeStyle style = RopeStyle.values()[1 + r.nextInt(2)];
        Tensor qArg = q;
        Tensor outArg = out;
        Tensor kArg = k;
        switch (kind) {
            case 0: // block id out of range
                tables[r.nextInt(2) * 3 + r.nextInt(2)] = NUM_BLOCKS + r.nextInt(1000);
                break;
            case 1: // negative block id
                tables[r.nextInt(2) * 3] = -1 - r.nextInt(1 << 20);
                break;
            case 2: // seqLens beyond the block table
                lens[r.nextInt(2)] = 3 * BLOCK + 1 + r.nextInt(100);
                break;
            case 3: // queryStartLoc not increasing
                starts = new int[] {0, 3, 1};
                lens = new int[] {6, 11};
                qArg = temp(temp, b.allocate(DType.F32, 1, HEADS, DIM));
                outArg = out.view(0, 1, HEADS, DIM);
                break;
            case 4: // queryStartLoc not ending at numTokens
                starts[2] = 3 + 1 + r.nextInt(5);
                break;
            case 5: // wrong q shape
                qArg = temp(temp, b.allocate(DType.F32, 3, HEADS, DIM + 2));
                break;
            case 6: // wrong q dtype
                qArg = temp(temp, b.allocate(DType.I32, 3, HEADS, DIM));
                break;
            case 7: // rotaryDim odd
                rotaryDim = 1 + 2 * r.nextInt(DIM / 2);
                break;
            case 8: // rotaryDim > headDim
                rotaryDim = DIM + 2 + 2 * r.nextInt(8);
                break;
            case 9: // closed q
                qArg = temp(temp, b.allocate(DType.F32, 3, HEADS, DIM));
                qArg.close();
                break;
            case 10: // wrong cache shape
                kArg = k.view(0, NUM_BLOCKS, BLOCK, KV_HEADS + 1, DIM / 2);
                break;
            case 11: // seqLens shorter than query rows
                lens[1] = r.nextInt(2);
                break;
            case 12: // writeKv: slot out of range
                b.writeKv(new WriteKvArgs(kv, kv, k, v, temp(temp, b.fromInts(new int[] {1,
                        NUM_BLOCKS * BLOCK + r.nextInt(100)}, 2))));
                return;
            case 13: // writeKv: slot below -1
                b.writeKv(new WriteKvArgs(kv, kv, k, v, temp(temp, b.fromInts(new int[] {-2 - r.nextInt(100), 0}, 2))));
                return;
            case 14: // writeKv: closed cache
                Tensor closed = temp(temp, b.allocate(DType.F32, NUM_BLOCKS, BLOCK, KV_HEADS, DIM));
                closed.close();
                b.writeKv(new WriteKvArgs(kv, kv, k, closed, temp(temp, b.fromInts(new int[] {0, 1}, 2))));
                return;
            case 15: // rope: position beyond the table, on a guarded output
                b.rope(new RopeArgs(out, temp(temp, b.fromInts(new int[] {0, 1, 64 + r.nextInt(100)}, 3)), cosSin,
                        style, 0));
                return;
            case 16: // rope: odd rotaryDim on a guarded output
                b.rope(new RopeArgs(out, temp(temp, b.fromInts(new int[] {0, 1, 2}, 3)), cosSin, style,
                        1 + 2 * r.nextInt(DIM / 2)));
                return;
            default:
                throw new AssertionError(kind);
        }
        b.pagedAttention(AttentionArgs.builder().q(qArg).kvCache(kArg, v)
                .blockTables(temp(temp, b.fromInts(tables, 2, 3))).seqLens(temp(temp, b.fromInts(lens, 2)))
                .queryStartLoc(temp(temp, b.fromInts(starts, 3))).rope(style, cosSin).rotaryDim(rotaryDim)
                .out(outArg).build());
    }

    private static Tensor temp(List<Tensor> temp, Tensor t) {
        temp.add(t);
        return t;
    }

    private static float[] filled(int n) {
        float[] a = new float[n];
        Arrays.fill(a, GUARD);
        return a;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
