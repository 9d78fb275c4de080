package dev.npukit.backend;

import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;

/**
 * Run in a child JVM by {@link TensorReclaimTest}: closes one tensor, abandons another, and
 * collects garbage until the backend holds nothing (at most 30 s).
 */
public final class LeakingMain {
    private LeakingMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Backend b = new ReferenceBackend();
        try (Tensor closed = b.allocate(DType.I32, 7)) {
            closed.copyFrom(new int[7]);
        }
        forgetATensor(b);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (b.memoryStats().tensors() > 0 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        System.out.println("freed: " + b.memoryStats().tensors() + " tensors held");
        System.exit(b.memoryStats().tensors() == 0 ? 0 : 1);
    }

    private static void forgetATensor(Backend b) {
        b.allocate(DType.F32, 3, 5);
    }
}
