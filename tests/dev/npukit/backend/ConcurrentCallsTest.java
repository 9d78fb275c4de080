package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.npukit.kernels.RopeStyle;
import dev.npukit.tensor.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Backends are thread-safe: Java threads calling the cpu kernels at once (which share the native
 * worker pool) each get exactly the result they get alone, call after call.
 */
class ConcurrentCallsTest {
    @Test
    void concurrentAttentionCallsGiveTheSoloResults() throws Exception {
        Backend cpu = Backends.get(CpuBackend.NAME);
        List<AttentionCase> cases = new ArrayList<>();
        List<float[]> solo = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            AttentionCase tc = new AttentionCase(100 + c, 1 + c, 2, 2, 64, 16, 40 + 30 * c, DType.F16,
                    c % 2 == 0 ? RopeStyle.NEOX : RopeStyle.NONE, 64);
            cases.add(tc);
            try (AttentionCase.On on = tc.on(cpu)) {
                solo.add(on.run());
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int c = t;
                done.add(pool.submit(() -> {
                    try (AttentionCase.On on = cases.get(c).on(cpu)) {
                        for (int i = 0; i < 150; i++) {
                            assertArrayEquals(solo.get(c), on.run(), "case " + c + ", call " + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
