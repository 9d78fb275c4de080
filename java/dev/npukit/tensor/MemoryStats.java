package dev.npukit.tensor;

/**
 * Memory a backend holds in tensors, counted in Java where storage is allocated and freed.
 * A closed tensor still counts while a view or a running kernel call holds its memory; views
 * add nothing of their own.
 *
 * @param bytes bytes of tensor memory held now
 * @param tensors allocations whose memory is held now
 * @param peakBytes the most {@code bytes} has been since the backend was loaded
 */
public record MemoryStats(long bytes, long tensors, long peakBytes) {
}
