package dev.npukit.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.npukit.backend.AvailableBackends;
import dev.npukit.backend.Backend;
import dev.npukit.backend.Backends;
import java.nio.FloatBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Element copies past the first 2 GiB of a native tensor (a long-context KV cache is larger than
 * that): Java's buffers index with ints, so the offset must never pass through one.
 */
class TensorBeyond2GiBTest {
    /** F32 elements in 2 GiB. */
    private static final long TWO_GIB_FLOATS = (1L << 31) / 4;

    /** The backends whose storage is native memory; the reference backend's is a Java array. */
    static Stream<String> nativeBackends() {
        return AvailableBackends.all().stream().filter(b -> !b.equals("reference"));
    }

    @ParameterizedTest
    @MethodSource("nativeBackends")
    void copiesPastTwoGiBLandAtTheirOffset(String name) {
        Backend backend = Backends.get(name);
        try (Tensor t = backend.allocate(DType.F32, TWO_GIB_FLOATS + 64)) {
            long at = TWO_GIB_FLOATS + 8;
            float[] values = {1.5f, -2.25f, 3f, 4.75f};
            t.writeFloats(at, values);
            assertArrayEquals(values, t.readFloats(at, values.length), "writeFloats/readFloats at " + at);
            assertArrayEquals(new float[] {0f, 0f}, t.readFloats(at - 2, 2), "the elements before stay zero");
            try (Tensor tail = t.view(TWO_GIB_FLOATS, 64)) {
                float[] expected = new float[64];
                for (int i = 0; i < 64; i++) {
                    expected[i] = i * 0.5f - 7f;
                }
                tail.copyFrom(FloatBuffer.wrap(expected));
                FloatBuffer back = FloatBuffer.allocate(64);
                tail.copyTo(back);
                assertArrayEquals(expected, back.array(), "copyFrom/copyTo of a view past 2 GiB");
                assertEquals(expected[63], t.readFloats(TWO_GIB_FLOATS + 63, 1)[0], "the view's last element");
            }
        }
    }
}
