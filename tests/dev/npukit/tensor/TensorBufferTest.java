package dev.npukit.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.backend.AvailableBackends;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import dev.npukit.internal.Storage;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Copies between tensors and java.nio buffers on every available backend, every dtype, heap and
 * direct buffers, at a non-zero position: round trips are exact, positions advance to the limit,
 * what is outside [position, limit) is untouched, and misfit buffers are refused by name.
 */
class TensorBufferTest {
    private static final int PAD = 3;
    private static final long[] SHAPE = {5, 7};
    private static final int N = 35;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String backend : AvailableBackends.all()) {
            for (DType t : DType.values()) {
                for (boolean direct : new boolean[] {false, true}) {
                    out.add(Arguments.of(backend, t, direct));
                }
            }
        }
        return out.stream();
    }

    /** Random raw bits for {@code n} elements of {@code t} (float dtypes: finite values). */
    private static ByteBuffer randomBytes(DType t, int n, Random r) {
        ByteBuffer b = ByteBuffer.allocate(n * t.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            switch (t) {
                case F32 -> b.putFloat((float) r.nextGaussian());
                case F16 -> b.putShort(HalfFloats.floatToF16((float) r.nextGaussian()));
                case BF16 -> b.putShort(HalfFloats.floatToBf16((float) r.nextGaussian()));
                case I32 -> b.putInt(r.nextInt());
            }
        }
        return b.flip();
    }

    /** A buffer of {@code PAD} sentinel elements, then {@code data}'s elements, then PAD sentinels; position at the data. */
    private static Buffer typed(DType t, ByteBuffer data, boolean direct) {
        int n = data.remaining() / t.byteSize();
        ByteBuffer raw = (direct ? ByteBuffer.allocateDirect((n + 2 * PAD) * t.byteSize())
                : ByteBuffer.allocate((n + 2 * PAD) * t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        Buffer b;
        ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (t) {
            case F32 -> {
                FloatBuffer f = direct ? raw.asFloatBuffer() : FloatBuffer.allocate(n + 2 * PAD);
                for (int i = 0; i < n + 2 * PAD; i++) {
                    f.put(i, -99f);
                }
                f.position(PAD);
                f.put(in.asFloatBuffer());
                b = f;
            }
            case I32 -> {
                IntBuffer v = direct ? raw.asIntBuffer() : IntBuffer.allocate(n + 2 * PAD);
                for (int i = 0; i < n + 2 * PAD; i++) {
                    v.put(i, -99);
                }
                v.position(PAD);
                v.put(in.asIntBuffer());
                b = v;
            }
            default -> {
                ShortBuffer s = direct ? raw.asShortBuffer() : ShortBuffer.allocate(n + 2 * PAD);
                for (int i = 0; i < n + 2 * PAD; i++) {
                    s.put(i, (short) -99);
                }
                s.position(PAD);
                s.put(in.asShortBuffer());
                b = s;
            }
        }
        return b.limit(PAD + n).position(PAD);
    }

    /** The elements of {@code b} in [from, to) as little-endian bytes. */
    private static ByteBuffer bytesOf(Buffer b, int from, int to) {
        Buffer d = duplicate(b).limit(to).position(from);
        ByteBuffer out = ByteBuffer.allocate((to - from) * Storage.elementBytes(b)).order(ByteOrder.LITTLE_ENDIAN);
        if (d instanceof FloatBuffer f) {
            out.asFloatBuffer().put(f);
        } else if (d instanceof IntBuffer i) {
            out.asIntBuffer().put(i);
        } else if (d instanceof ShortBuffer s) {
            out.asShortBuffer().put(s);
        } else {
            out.put((ByteBuffer) d);
        }
        return out.rewind();
    }

    private static Buffer duplicate(Buffer b) {
        if (b instanceof FloatBuffer f) {
            return f.duplicate();
        } else if (b instanceof IntBuffer i) {
            return i.duplicate();
        } else if (b instanceof ShortBuffer s) {
            return s.duplicate();
        }
        return ((ByteBuffer) b).duplicate();
    }

    private static Buffer emptyLike(Buffer b, boolean direct) {
        int cap = b.capacity();
        if (b instanceof FloatBuffer) {
            return direct ? ByteBuffer.allocateDirect(cap * 4).asFloatBuffer() : FloatBuffer.allocate(cap);
        } else if (b instanceof IntBuffer) {
            return direct ? ByteBuffer.allocateDirect(cap * 4).order(ByteOrder.nativeOrder()).asIntBuffer()
                    : IntBuffer.allocate(cap);
        } else if (b instanceof ShortBuffer) {
            return direct ? ByteBuffer.allocateDirect(cap * 2).asShortBuffer() : ShortBuffer.allocate(cap);
        }
        return direct ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap);
    }

    @ParameterizedTest(name = "{0} {1} direct={2}")
    @MethodSource("cases")
    void typedBufferRoundTrip(String backend, DType t, boolean direct) {
        Backend b = Backends.get(backend);
        ByteBuffer data = randomBytes(t, N, new Random(t.ordinal() * 31 + (direct ? 1 : 0)));
        Buffer src = typed(t, data, direct);
        try (Tensor x = b.fromBuffer(t, src, SHAPE)) {
            assertEquals(PAD + N, src.position(), "src position advances to its limit");
            assertEquals(data, rawBits(x), "the tensor holds the buffer's elements");

            Buffer dst = emptyLike(src, direct).limit(PAD + N).position(PAD);
            x.copyTo(dst);
            assertEquals(PAD + N, dst.position(), "dst position advances to its limit");
            assertEquals(data, bytesOf(dst, PAD, PAD + N), "round trip");
            assertEquals(bytesOf(emptyLike(src, direct), 0, PAD), bytesOf(dst, 0, PAD), "before position untouched");
        }
    }

    @ParameterizedTest(name = "{0} {1} direct={2}")
    @MethodSource("cases")
    void rawBytesRoundTrip(String backend, DType t, boolean direct) {
        Backend b = Backends.get(backend);
        ByteBuffer data = randomBytes(t, N, new Random(t.ordinal() * 17 + (direct ? 1 : 0)));
        int bytes = N * t.byteSize();
        // Big-endian order on purpose: raw bytes are the tensor's little-endian layout whatever the order.
        ByteBuffer src = direct ? ByteBuffer.allocateDirect(bytes + 2 * PAD) : ByteBuffer.allocate(bytes + 2 * PAD);
        src.order(ByteOrder.BIG_ENDIAN).position(PAD);
        src.put(data.duplicate()).flip().position(PAD);
        try (Tensor x = b.allocate(t, SHAPE)) {
            x.copyFrom(src);
            assertEquals(PAD + bytes, src.position());
            assertEquals(data, rawBits(x));

            ByteBuffer dst = direct ? ByteBuffer.allocateDirect(bytes + 2 * PAD) : ByteBuffer.allocate(bytes + 2 * PAD);
            dst.position(PAD).limit(PAD + bytes);
            x.copyTo(dst);
            assertEquals(PAD + bytes, dst.position());
            assertEquals(data, dst.duplicate().position(PAD).limit(PAD + bytes).slice());
            assertEquals(0, dst.duplicate().clear().get(PAD - 1), "byte before the position untouched");
            assertEquals(0, dst.duplicate().clear().get(PAD + bytes), "byte past the limit untouched");

            // A view copies only its own elements.
            try (Tensor row = x.view(7, 7)) {
                ByteBuffer one = ByteBuffer.allocate(7 * t.byteSize());
                row.copyTo(one);
                assertEquals(data.duplicate().position(7 * t.byteSize()).limit(14 * t.byteSize()).slice(), one.flip());
            }
        }
    }

    /** The tensor's bytes through the array API, which the buffer API must agree with. */
    private static ByteBuffer rawBits(Tensor x) {
        ByteBuffer out = ByteBuffer.allocate((int) x.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (x.dtype()) {
            case F32 -> out.asFloatBuffer().put(x.toFloatArray());
            case I32 -> out.asIntBuffer().put(x.toIntArray());
            default -> out.asShortBuffer().put(x.toBits());
        }
        return out;
    }

    private static void assertRefused(String argument, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(argument + ":"), e.getMessage());
    }

    static Stream<String> backends() {
        return AvailableBackends.all().stream();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void misfitBuffersAreRefused(String backend) {
        Backend b = Backends.get(backend);
        try (Tensor f32 = b.allocate(DType.F32, 4); Tensor bf16 = b.allocate(DType.BF16, 4);
                Tensor i32 = b.allocate(DType.I32, 4)) {
            assertRefused("src", () -> f32.copyFrom((Buffer) null));
            assertRefused("src", () -> f32.copyFrom(FloatBuffer.allocate(3)));
            assertRefused("dst", () -> f32.copyTo(FloatBuffer.allocate(5)));
            assertRefused("src", () -> f32.copyFrom(ByteBuffer.allocate(4)));
            assertRefused("src", () -> f32.copyFrom(IntBuffer.allocate(4)));
            assertRefused("src", () -> bf16.copyFrom(FloatBuffer.allocate(4)));
            assertRefused("src", () -> i32.copyFrom(ShortBuffer.allocate(4)));
            assertRefused("src", () -> i32.copyFrom(LongBuffer.allocate(2)));
            assertRefused("dst", () -> i32.copyTo(IntBuffer.allocate(4).asReadOnlyBuffer()));
            assertRefused("src", () -> b.fromBuffer(DType.F16, IntBuffer.allocate(4), 4));
            FloatBuffer untouched = FloatBuffer.allocate(3);
            assertThrows(IllegalArgumentException.class, () -> f32.copyFrom(untouched));
            assertEquals(0, untouched.position(), "a refused copy moves no position");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void closedTensorIsReported(String backend) {
        Backend b = Backends.get(backend);
        Tensor x = b.fromBuffer(DType.F32, FloatBuffer.wrap(new float[] {1, 2, 3}), 3);
        x.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.copyTo(FloatBuffer.allocate(3)));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> x.copyFrom(FloatBuffer.allocate(3)));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void emptyTensorCopiesNothing(String backend) {
        Backend b = Backends.get(backend);
        try (Tensor x = b.fromBuffer(DType.F32, ByteBuffer.allocateDirect(0), 0, 4)) {
            FloatBuffer dst = FloatBuffer.allocate(0);
            x.copyTo(dst);
            assertEquals(0, dst.position());
            assertArrayEquals(new float[0], x.toFloatArray());
        }
    }
}
