package dev.npukit.serving.store;

/**
 * Counters of one tier since it was opened.
 *
 * @param tier the tier's name
 * @param hits gets that returned an entry
 * @param misses gets that returned nothing (absent, refused, or the tier unavailable)
 * @param puts entries written
 * @param bytesRead payload bytes returned by hits
 * @param bytesWritten payload bytes written
 * @param badEntries entries found corrupt, truncated, of another format version or of another key; each was
 *        ignored and removed so that the next put replaces it
 * @param errors operations that failed on the tier's medium (I/O errors, Redis unreachable); each counted as a
 *        miss or an unwritten put
 * @param dropped puts not written because the tier's write queue was full
 * @param evictions entries removed to stay within the tier's byte budget
 * @param heldBytes payload bytes (memory) or file bytes (disk) held now; -1 where the tier does not know (Redis)
 */
public record TierStats(String tier, long hits, long misses, long puts, long bytesRead, long bytesWritten,
        long badEntries, long errors, long dropped, long evictions, long heldBytes) {
}
