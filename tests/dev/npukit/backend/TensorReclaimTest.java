package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.MemoryStats;
import dev.npukit.tensor.Tensor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Memory comes back: after a million allocate/close cycles at once, after a million abandoned
 * tensors once the garbage collector has run (the cleaner), and leak detection reports the
 * abandoned ones with the stack that created them.
 */
class TensorReclaimTest {
    private static final int MILLION = 1_000_000;

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void aMillionAllocateCloseCyclesReturnEveryByte(String name) {
        Backend b = TensorLifetimeTest.counted(name);
        for (int i = 0; i < MILLION; i++) {
            try (Tensor t = b.allocate(DType.F32, 4)) {
                if (i % 100_000 == 0) {
                    t.copyFrom(new float[] {i, 1, 2, 3});
                    assertEquals(i, t.toFloatArray()[0]);
                }
            }
        }
        assertEquals(new MemoryStats(0, 0, 16), b.memoryStats());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void aMillionAbandonedTensorsAreFreedAfterGarbageCollection(String name) throws InterruptedException {
        Backend b = TensorLifetimeTest.counted(name);
        for (int i = 0; i < MILLION; i++) {
            b.allocate(DType.F32, 4);
            if (i % 4 == 0) {
                b.allocate(DType.F16, 2, 4).view(2, 3); // a view too: it holds the memory until collected
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (b.memoryStats().tensors() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        MemoryStats after = b.memoryStats();
        assertEquals(0, after.tensors(), "tensors still held 60 s after the last allocation: " + after);
        assertEquals(0, after.bytes());
        assertTrue(after.peakBytes() >= 16_000, "abandoned tensors were held until collected: " + after);
    }

    @Test
    void leakDetectionLogsAbandonedTensorsWithTheirAllocationStack() throws Exception {
        String withProperty = runLeakingJvm(List.of("-Dnpukit.leakDetection=true"), Map.of());
        assertEquals(1, count(withProperty, "was not closed"), "one abandoned tensor, one report:\n" + withProperty);
        assertTrue(withProperty.contains("F32[3, 5]") && withProperty.contains("LeakingMain.forgetATensor"),
                "the report names the tensor and the stack that created it:\n" + withProperty);

        String withEnvironment = runLeakingJvm(List.of(), Map.of("NPUKIT_LEAK_DETECTION", "true"));
        assertEquals(1, count(withEnvironment, "was not closed"), withEnvironment);

        String off = runLeakingJvm(List.of(), Map.of());
        assertFalse(off.contains("was not closed"), "leak detection is off by default:\n" + off);
        assertTrue(off.contains("freed: 0 tensors held"), off);
    }

    /** Runs {@link LeakingMain} in a fresh JVM; returns its stdout and stderr. */
    private static String runLeakingJvm(List<String> jvmOptions, Map<String, String> env)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LeakingMain.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("NPUKIT_LEAK_DETECTION");
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
