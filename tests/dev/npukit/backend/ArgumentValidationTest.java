package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every argument check of the attention, writeKv and RoPE records, on every backend: the call
 * throws IllegalArgumentException whose message starts with the offending argument's name.
 */
class ArgumentValidationTest {

    /** One broken call: the argument it breaks and how. */
    record Breakage(String argument, String description, Consumer<Fixture> call) {
        @Override
        public String toString() {
            return argument + ": " + description;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String backend : AvailableBackends.all()) {
            for (Breakage b : breakages()) {
                out.add(Arguments.of(backend, b));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void badArgumentIsNamed(String backend, Breakage breakage) {
        try (Fixture f = new Fixture(Backends.get(backend))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> breakage.call.accept(f),
                    breakage.toString());
            assertTrue(e.getMessage().startsWith(breakage.argument + ":"),
                    "message should name '" + breakage.argument + "': " + e.getMessage());
        }
    }

    @Test
    void unknownBackendIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.get("gpu"));
        assertTrue(e.getMessage().contains("gpu") && e.getMessage().contains("reference"), e.getMessage());
    }

    static List<Breakage> breakages() {
        List<Breakage> list = new ArrayList<>();
        // ---- attention: tensors ----
        list.add(new Breakage("args", "null record", f -> f.b.pagedAttention(null)));
        list.add(new Breakage("q", "null", f -> f.attention(a -> a.q(null))));
        list.add(new Breakage("q", "closed", f -> {
            f.q.close();
            f.attention(a -> { });
        }));
        list.add(new Breakage("q", "I32", f -> f.attention(a -> a.q(f.make(DType.I32, 3, 4, 16)))));
        list.add(new Breakage("q", "rank 2", f -> f.attention(a -> a.q(f.make(DType.F32, 3, 64)))));
        list.add(new Breakage("q", "other backend", f -> f.attention(a -> a.q(f.foreign(DType.F32, 3, 4, 16)))));
        list.add(new Breakage("kCache", "I32", f -> f.attention(a -> a.kvCache(f.make(DType.I32, 6, 4, 2, 16),
                f.v))));
        list.add(new Breakage("vCache", "dtype differs", f -> f.attention(a -> a.kvCache(f.k,
                f.make(DType.F16, 6, 4, 2, 16)))));
        list.add(new Breakage("vCache", "shape differs", f -> f.attention(a -> a.kvCache(f.k,
                f.make(DType.F32, 5, 4, 2, 16)))));
        list.add(new Breakage("kCache", "headDim differs", f -> f.attention(a -> a.kvCache(
                f.make(DType.F32, 6, 4, 2, 8), f.make(DType.F32, 6, 4, 2, 8)))));
        list.add(new Breakage("kCache", "numKvHeads does not divide numHeads", f -> f.attention(a -> a.kvCache(
                f.make(DType.F32, 6, 4, 3, 16), f.make(DType.F32, 6, 4, 3, 16)))));
        list.add(new Breakage("out", "shape", f -> f.attention(a -> a.out(f.make(DType.F32, 3, 4, 8)))));
        list.add(new Breakage("out", "I32", f -> f.attention(a -> a.out(f.make(DType.I32, 3, 4, 16)))));
        list.add(new Breakage("out", "closed", f -> {
            f.out.close();
            f.attention(a -> { });
        }));
        list.add(new Breakage("blockTables", "wrong row count", f -> f.attention(a -> a.blockTables(
                f.ints(new int[] {0, 1, 2, 3, 4, 5}, 3, 2)))));
        list.add(new Breakage("blockTables", "F32", f -> f.attention(a -> a.blockTables(f.make(DType.F32, 2, 3)))));
        list.add(new Breakage("seqLens", "rank 2", f -> f.attention(a -> a.seqLens(f.ints(new int[] {5, 9}, 1, 2)))));
        list.add(new Breakage("queryStartLoc", "wrong length", f -> f.attention(a -> a.queryStartLoc(
                f.ints(new int[] {0, 3}, 2)))));
        list.add(new Breakage("ropeStyle", "null", f -> f.attention(a -> a.rope(null, f.cosSin))));
        list.add(new Breakage("cosSin", "null with NEOX", f -> f.attention(a -> a.rope(RopeStyle.NEOX, null))));
        list.add(new Breakage("cosSin", "width differs from rotaryDim", f -> f.attention(a -> a.rotaryDim(8))));
        list.add(new Breakage("cosSin", "too few positions", f -> f.attention(a -> a.rope(RopeStyle.GPTJ,
                f.floats(RopeTables.cosSin(4, 16, 10000), 4, 16)))));
        list.add(new Breakage("rotaryDim", "odd", f -> f.attention(a -> a.rotaryDim(7))));
        list.add(new Breakage("rotaryDim", "above headDim", f -> f.attention(a -> a.rotaryDim(18))));
        list.add(new Breakage("rotaryDim", "negative with NONE", f -> f.attention(a -> a.rope(RopeStyle.NONE, null)
                .rotaryDim(-2))));
        list.add(new Breakage("scale", "infinite", f -> f.attention(a -> a.scale(Float.POSITIVE_INFINITY))));
        list.add(new Breakage("layout", "null", f -> f.attention(a -> a.kvLayout(null))));
        list.add(new Breakage("kCache", "HND: numKvHeads (dimension 1) does not divide numHeads", f -> f.attention(
                a -> a.kvLayout(KvLayout.HND).kvCache(f.make(DType.F32, 6, 3, 4, 16), f.make(DType.F32, 6, 3, 4, 16)))));
        list.add(new Breakage("seqLens", "an NHD cache read as HND has blocks of 2: beyond the block table",
                f -> f.attention(a -> a.kvLayout(KvLayout.HND))));
        // ---- attention: index values ----
        list.add(new Breakage("queryStartLoc", "does not start at 0", f -> f.attention(a -> a.queryStartLoc(
                f.ints(new int[] {1, 1, 3}, 3)))));
        list.add(new Breakage("queryStartLoc", "does not end at numTokens", f -> f.attention(a -> a.queryStartLoc(
                f.ints(new int[] {0, 1, 2}, 3)))));
        list.add(new Breakage("queryStartLoc", "decreasing", f -> f.attention(a -> a.q(f.make(DType.F32, 1, 4, 16))
                .out(f.make(DType.F32, 1, 4, 16)).queryStartLoc(f.ints(new int[] {0, 2, 1}, 3)))));
        list.add(new Breakage("seqLens", "shorter than query rows", f -> f.attention(a -> a.seqLens(
                f.ints(new int[] {5, 1}, 2)))));
        list.add(new Breakage("seqLens", "beyond the block table", f -> f.attention(a -> a.seqLens(
                f.ints(new int[] {5, 13}, 2)))));
        list.add(new Breakage("blockTables", "block id too large", f -> f.attention(a -> a.blockTables(
                f.ints(new int[] {0, 1, 2, 3, 6, 5}, 2, 3)))));
        list.add(new Breakage("blockTables", "negative block id", f -> f.attention(a -> a.blockTables(
                f.ints(new int[] {0, -1, 2, 3, 4, 5}, 2, 3)))));
        // ---- writeKv ----
        list.add(new Breakage("args", "null writeKv record", f -> f.b.writeKv(null)));
        list.add(new Breakage("layout", "null", f -> f.b.writeKv(new WriteKvArgs(f.kv, f.kv, f.k, f.v, f.slots,
                (KvLayout) null))));
        list.add(new Breakage("kCache", "HND: numKvHeads (dimension 1) differs from key's", f -> f.b.writeKv(
                new WriteKvArgs(f.kv, f.kv, f.k, f.v, f.slots, KvLayout.HND))));
        list.add(new Breakage("key", "I32", f -> f.b.writeKv(new WriteKvArgs(f.make(DType.I32, 2, 2, 16), f.kv, f.k,
                f.v, f.slots))));
        list.add(new Breakage("key", "closed", f -> {
            f.kv.close();
            f.b.writeKv(new WriteKvArgs(f.kv, f.make(DType.F32, 2, 2, 16), f.k, f.v, f.slots));
        }));
        list.add(new Breakage("value", "shape", f -> f.b.writeKv(new WriteKvArgs(f.kv, f.make(DType.F32, 2, 2, 8),
                f.k, f.v, f.slots))));
        list.add(new Breakage("kCache", "headDim differs", f -> f.b.writeKv(new WriteKvArgs(f.make(DType.F32, 2, 2, 8),
                f.make(DType.F32, 2, 2, 8), f.k, f.v, f.slots))));
        list.add(new Breakage("vCache", "dtype differs", f -> f.b.writeKv(new WriteKvArgs(f.kv, f.kv, f.k,
                f.make(DType.BF16, 6, 4, 2, 16), f.slots))));
        list.add(new Breakage("slotMapping", "length", f -> f.b.writeKv(new WriteKvArgs(f.kv, f.kv, f.k, f.v,
                f.ints(new int[] {0, 1, 2}, 3)))));
        list.add(new Breakage("slotMapping", "slot past the cache", f -> f.b.writeKv(new WriteKvArgs(f.kv, f.kv, f.k,
                f.v, f.ints(new int[] {0, 24}, 2)))));
        list.add(new Breakage("slotMapping", "slot below -1", f -> f.b.writeKv(new WriteKvArgs(f.kv, f.kv, f.k, f.v,
                f.ints(new int[] {-2, 0}, 2)))));
        // ---- rope ----
        list.add(new Breakage("args", "null rope record", f -> f.b.rope(null)));
        list.add(new Breakage("x", "I32", f -> f.b.rope(new RopeArgs(f.make(DType.I32, 3, 4, 16), f.positions,
                f.cosSin, RopeStyle.NEOX))));
        list.add(new Breakage("positions", "length", f -> f.b.rope(new RopeArgs(f.q, f.ints(new int[] {0}, 1),
                f.cosSin, RopeStyle.NEOX))));
        list.add(new Breakage("positions", "past the table", f -> f.b.rope(new RopeArgs(f.q,
                f.ints(new int[] {0, 1, 64}, 3), f.cosSin, RopeStyle.NEOX))));
        list.add(new Breakage("positions", "negative", f -> f.b.rope(new RopeArgs(f.q, f.ints(new int[] {0, -1, 2}, 3),
                f.cosSin, RopeStyle.GPTJ))));
        list.add(new Breakage("rotaryDim", "odd", f -> f.b.rope(new RopeArgs(f.q, f.positions, f.cosSin,
                RopeStyle.NEOX, 5))));
        list.add(new Breakage("cosSin", "width", f -> f.b.rope(new RopeArgs(f.q, f.positions, f.cosSin,
                RopeStyle.NEOX, 8))));
        list.add(new Breakage("style", "null", f -> f.b.rope(new RopeArgs(f.q, f.positions, f.cosSin, null))));
        return list;
    }

    /**
     * A valid small problem: 2 sequences (lengths 5 and 9, 1 and 2 query rows), 4 query heads over
     * 2 KV heads of dim 16, 6 blocks of 4 slots, block tables of 3 entries, a 64-position table.
     */
    static final class Fixture implements AutoCloseable {
        final Backend b;
        final List<Tensor> owned = new ArrayList<>();
        final Tensor q;
        final Tensor k;
        final Tensor v;
        final Tensor tables;
        final Tensor lens;
        final Tensor starts;
        final Tensor cosSin;
        final Tensor out;
        final Tensor kv;
        final Tensor slots;
        final Tensor positions;

        Fixture(Backend b) {
            this.b = b;
            q = make(DType.F32, 3, 4, 16);
            k = make(DType.F32, 6, 4, 2, 16);
            v = make(DType.F32, 6, 4, 2, 16);
            tables = ints(new int[] {4, 1, 0, 3, 2, 5}, 2, 3);
            lens = ints(new int[] {5, 9}, 2);
            starts = ints(new int[] {0, 1, 3}, 3);
            cosSin = floats(RopeTables.cosSin(64, 16, 10000), 64, 16);
            out = make(DType.F32, 3, 4, 16);
            kv = make(DType.F32, 2, 2, 16);
            slots = ints(new int[] {3, -1}, 2);
            positions = ints(new int[] {0, 7, 63}, 3);
        }

        Tensor make(DType t, long... shape) {
            Tensor x = b.allocate(t, shape);
            owned.add(x);
            return x;
        }

        Tensor ints(int[] data, long... shape) {
            Tensor x = b.fromInts(data, shape);
            owned.add(x);
            return x;
        }

        Tensor floats(float[] data, long... shape) {
            Tensor x = b.fromFloats(DType.F32, data, shape);
            owned.add(x);
            return x;
        }

        /** A tensor owned by another backend than the one under test. */
        Tensor foreign(DType t, long... shape) {
            Backend other = Backends.get(b.name().equals(ReferenceBackend.NAME) ? CpuBackend.NAME
                    : ReferenceBackend.NAME);
            Tensor x = other.allocate(t, shape);
            owned.add(x);
            return x;
        }

        AttentionArgs.Builder validArgs() {
            return AttentionArgs.builder().q(q).kvCache(k, v).blockTables(tables).seqLens(lens).queryStartLoc(starts)
                    .rope(RopeStyle.NEOX, cosSin).out(out);
        }

        void attention(Consumer<AttentionArgs.Builder> change) {
            AttentionArgs.Builder a = validArgs();
            change.accept(a);
            b.pagedAttention(a.build());
        }

        @Override
        public void close() {
            owned.forEach(Tensor::close);
        }
    }

    @Test
    void fixtureIsValidOnEveryBackend() {
        // Guards the suite: if the fixture itself were invalid, every breakage would pass vacuously.
        for (String name : AvailableBackends.all()) {
            try (Fixture f = new Fixture(Backends.get(name))) {
                f.attention(a -> { });
                f.b.writeKv(new WriteKvArgs(f.kv, f.kv, f.k, f.v, f.slots));
                f.b.rope(new RopeArgs(f.q, f.positions, f.cosSin, RopeStyle.NEOX));
            }
        }
    }
}
