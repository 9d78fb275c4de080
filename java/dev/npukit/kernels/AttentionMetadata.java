package dev.npukit.kernels;

import dev.npukit.tensor.Tensor;
import dev.npukit.util.Check;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The index tensors of one model step that every layer's attention and cache write share
 * (docs/kernels.md, attention metadata): block tables, sequence lengths, query start locations and slot mapping. They are
 * validated once, against the KV cache geometry (numBlocks, blockSize) every layer's cache has,
 * and uploaded once to the backend ({@code Backend.attentionMetadata}). Calls that take the
 * metadata ({@link AttentionArgs.Builder#metadata}, {@link WriteKvArgs#WriteKvArgs(Tensor, Tensor,
 * Tensor, Tensor, AttentionMetadata)}) check only that their tensors fit it, and read no index
 * tensor back from the device; the native layer re-checks the indices from the validated host
 * copies kept here.
 *
 * <ul>
 *   <li>{@code blockTables} [numSeqs * maxBlocksPerSeq], row-major; only the first
 *       ceil(seqLen/blockSize) entries of a sequence with query rows are read, each in [0, numBlocks);</li>
 *   <li>{@code seqLens} [numSeqs]: KV length of each sequence including this step's tokens, at least
 *       its query rows and at most maxBlocksPerSeq * blockSize;</li>
 *   <li>{@code queryStartLoc} [numSeqs + 1]: non-decreasing from 0 to numTokens;</li>
 *   <li>{@code slotMapping} [numTokens]: slot of each token's K/V (block * blockSize + offset) in
 *       [0, numBlocks * blockSize), or -1 to skip. When two tokens name one slot the later wins.</li>
 * </ul>
 * The index tensors are read-only: the native re-checks trust that they still hold the validated
 * values. Close the metadata after the step; a closed metadata is refused.
 */
public final class AttentionMetadata implements AutoCloseable {
    /** Uploads I32 values to a backend, e.g. {@code Backend::fromInts}. */
    @FunctionalInterface
    public interface IntUpload {
        /**
         * Copies {@code values} into a new I32 tensor on the backend.
         *
         * @param values the entries, row-major; as many as the shape's product
         * @param shape the tensor's dimensions
         * @return the tensor, owned by the caller
         */
        Tensor upload(int[] values, long... shape);
    }

    private final String device;
    private final int numBlocks;
    private final int blockSize;
    private final int numSeqs;
    private final int maxBlocksPerSeq;
    private final int numTokens;
    private final int maxQueriedSeqLen;
    private final int[] blockTables;
    private final int[] seqLens;
    private final int[] queryStartLoc;
    private final int[] slotMapping;
    private final Tensor blockTablesTensor;
    private final Tensor seqLensTensor;
    private final Tensor queryStartLocTensor;
    private final Tensor slotMappingTensor;
    private final Map<Class<?>, AutoCloseable> attachments = new LinkedHashMap<>();
    private boolean closed;
    /** Kernel calls running with this metadata ({@link #acquire}); attachments outlive them all. */
    private int calls;

    private AttentionMetadata(String device, int numBlocks, int blockSize, int maxBlocksPerSeq, int[] blockTables,
            int[] seqLens, int[] queryStartLoc, int[] slotMapping, IntUpload upload) {
        this.device = device;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.numSeqs = seqLens.length;
        this.maxBlocksPerSeq = maxBlocksPerSeq;
        this.numTokens = queryStartLoc[numSeqs];
        this.blockTables = blockTables;
        this.seqLens = seqLens;
        this.queryStartLoc = queryStartLoc;
        this.slotMapping = slotMapping;
        int maxLen = 0;
        for (int s = 0; s < numSeqs; s++) {
            if (queryStartLoc[s + 1] > queryStartLoc[s]) {
                maxLen = Math.max(maxLen, seqLens[s]);
            }
        }
        this.maxQueriedSeqLen = maxLen;
        Tensor tables = null;
        Tensor lens = null;
        Tensor starts = null;
        Tensor slots = null;
        try {
            tables = upload.upload(blockTables, numSeqs, maxBlocksPerSeq);
            lens = upload.upload(seqLens, numSeqs);
            starts = upload.upload(queryStartLoc, numSeqs + 1L);
            slots = upload.upload(slotMapping, numTokens);
        } catch (RuntimeException e) {
            for (Tensor t : new Tensor[] {tables, lens, starts, slots}) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        this.blockTablesTensor = tables;
        this.seqLensTensor = lens;
        this.queryStartLocTensor = starts;
        this.slotMappingTensor = slots;
    }

    /**
     * Validates the indices against the cache geometry and uploads them with {@code upload} to the
     * backend named {@code device}. Throws {@link IllegalArgumentException} naming the first bad
     * argument. The arrays are copied.
     *
     * @param device the backend's name ({@code reference}, {@code cpu}, {@code ascend}); every call that takes
     *     the metadata must run on it
     * @param upload copies int arrays to that backend, e.g. {@code backend::fromInts}
     * @param numBlocks KV blocks of every layer's cache, &gt;= 0
     * @param blockSize tokens per KV block, &gt; 0
     * @param blockTables [numSeqs * maxBlocksPerSeq] block ids, row-major (see the class comment)
     * @param maxBlocksPerSeq the block table's row length, &gt;= 0
     * @param seqLens [numSeqs] KV length of each sequence, in tokens, including this step's
     * @param queryStartLoc [numSeqs + 1] first query row of each sequence, then numTokens
     * @param slotMapping [numTokens] cache slot of each token's K/V, or -1 to skip it
     * @return the validated metadata, its index tensors on {@code device}; close it after the step
     * @throws IllegalArgumentException naming the first bad argument: a null, a length that does not match, a
     *     decreasing {@code queryStartLoc}, a sequence shorter than its query rows or longer than its block table,
     *     a block id outside [0, numBlocks) or a slot outside [-1, numBlocks * blockSize)
     */
    public static AttentionMetadata create(String device, IntUpload upload, int numBlocks, int blockSize,
            int[] blockTables, int maxBlocksPerSeq, int[] seqLens, int[] queryStartLoc, int[] slotMapping) {
        Check.arg(device != null, "device", "is null");
        Check.arg(upload != null, "upload", "is null");
        Check.arg(numBlocks >= 0, "numBlocks", "is %d, must not be negative", numBlocks);
        Check.arg(blockSize > 0, "blockSize", "is %d, must be positive", blockSize);
        Check.arg(maxBlocksPerSeq >= 0, "maxBlocksPerSeq", "is %d, must not be negative", maxBlocksPerSeq);
        Check.arg(seqLens != null, "seqLens", "is null");
        Check.arg(blockTables != null, "blockTables", "is null");
        Check.arg(queryStartLoc != null, "queryStartLoc", "is null");
        Check.arg(slotMapping != null, "slotMapping", "is null");
        int numSeqs = seqLens.length;
        Check.arg((long) blockTables.length == (long) numSeqs * maxBlocksPerSeq, "blockTables",
                "has %d entries, expected numSeqs %d * maxBlocksPerSeq %d", blockTables.length, numSeqs,
                maxBlocksPerSeq);
        Check.arg(queryStartLoc.length == numSeqs + 1, "queryStartLoc", "has %d entries, expected numSeqs + 1 = %d",
                queryStartLoc.length, numSeqs + 1);
        int[] starts = queryStartLoc.clone();
        int[] lens = seqLens.clone();
        int[] tables = blockTables.clone();
        Check.arg(starts[0] == 0, "queryStartLoc", "entry 0 is %d, must be 0", starts[0]);
        long capacity = (long) maxBlocksPerSeq * blockSize;
        for (int seq = 0; seq < numSeqs; seq++) {
            int qLen = starts[seq + 1] - starts[seq];
            Check.arg(starts[seq + 1] >= starts[seq], "queryStartLoc", "decreases at sequence %d (%d then %d)", seq,
                    starts[seq], starts[seq + 1]);
            Check.arg(lens[seq] >= qLen, "seqLens", "sequence %d has length %d, shorter than its %d query rows", seq,
                    lens[seq], qLen);
            Check.arg(lens[seq] <= capacity, "seqLens",
                    "sequence %d has length %d, more than its block table holds (%d blocks of %d)", seq, lens[seq],
                    maxBlocksPerSeq, blockSize);
            int used = (int) ((lens[seq] + (long) blockSize - 1) / blockSize);
            for (int b = 0; b < used && qLen > 0; b++) {
                int id = tables[seq * maxBlocksPerSeq + b];
                if (id < 0 || id >= numBlocks) {
                    Check.arg(false, "blockTables", "entry [%d][%d] is %d, outside [0, %d)", seq, b, id, numBlocks);
                }
            }
        }
        int numTokens = starts[numSeqs];
        Check.arg(slotMapping.length == numTokens, "slotMapping", "has %d entries, expected numTokens %d",
                slotMapping.length, numTokens);
        long numSlots = (long) numBlocks * blockSize;
        Check.entriesInRange("slotMapping", slotMapping, -1, numSlots, " (numBlocks * blockSize)");
        int[] slots = slotMapping.clone();
        return new AttentionMetadata(device, numBlocks, blockSize, maxBlocksPerSeq, tables, lens, starts, slots,
                upload);
    }

    /**
     * The backend the index tensors live on.
     *
     * @return the backend's name
     */
    public String device() {
        return device;
    }

    /**
     * The cache geometry the indices were validated against: blocks per layer.
     *
     * @return the number of KV blocks of every layer's cache
     */
    public int numBlocks() {
        return numBlocks;
    }

    /**
     * The cache geometry the indices were validated against: tokens per block.
     *
     * @return the block size in tokens
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The sequences of the step.
     *
     * @return the number of sequences (the length of seqLens)
     */
    public int numSeqs() {
        return numSeqs;
    }

    /**
     * The block table's row length.
     *
     * @return block table entries per sequence
     */
    public int maxBlocksPerSeq() {
        return maxBlocksPerSeq;
    }

    /**
     * Query rows of the step.
     *
     * @return the last entry of queryStartLoc
     */
    public int numTokens() {
        return numTokens;
    }

    /**
     * The positions a RoPE table must cover.
     *
     * @return the longest seqLen among sequences with query rows, in tokens; 0 if none has any
     */
    public int maxQueriedSeqLen() {
        return maxQueriedSeqLen;
    }

    /**
     * The block tables.
     *
     * @return I32 [numSeqs, maxBlocksPerSeq] on the backend; owned by the metadata, read-only
     */
    public Tensor blockTables() {
        return blockTablesTensor;
    }

    /**
     * The sequence lengths.
     *
     * @return I32 [numSeqs] on the backend; owned by the metadata, read-only
     */
    public Tensor seqLens() {
        return seqLensTensor;
    }

    /**
     * The query start locations.
     *
     * @return I32 [numSeqs + 1] on the backend; owned by the metadata, read-only
     */
    public Tensor queryStartLoc() {
        return queryStartLocTensor;
    }

    /**
     * The slot mapping.
     *
     * @return I32 [numTokens] on the backend; owned by the metadata, read-only
     */
    public Tensor slotMapping() {
        return slotMappingTensor;
    }

    /**
     * The validated indices as host arrays.
     *
     * @return new copies, in the order blockTables, seqLens, queryStartLoc, slotMapping
     */
    public int[][] hostIndices() {
        return new int[][] {blockTables.clone(), seqLens.clone(), queryStartLoc.clone(), slotMapping.clone()};
    }

    /**
     * Backend state kept with this metadata (for example host copies of the indices in native
     * memory for the native re-checks): created by {@code create} on first use for {@code type},
     * then the same object; closed with the metadata.
     *
     * @param <T> the attachment's type
     * @param type the attachment's class, its key
     * @param create makes the attachment on first use
     * @return the attachment of {@code type}
     * @throws IllegalArgumentException if the metadata is closed and no kernel call holds it
     */
    public synchronized <T extends AutoCloseable> T attachment(Class<T> type, Function<AttentionMetadata, T> create) {
        // A call that acquired the metadata before a close may still attach: the last release closes it.
        Check.arg(!closed || calls > 0, "metadata", "is closed");
        AutoCloseable a = attachments.get(type);
        if (a == null) {
            a = create.apply(this);
            attachments.put(type, a);
        }
        return type.cast(a);
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public synchronized boolean isClosed() {
        return closed;
    }

    /**
     * For backends: holds this metadata for one kernel call, so that a {@link #close()} on another
     * thread meanwhile frees its attachments (native host copies the call reads) only when the call
     * {@link #release releases} it. The index tensors are held like every tensor argument.
     * Throws {@link IllegalArgumentException} "metadata: is closed" once closed.
     */
    public synchronized void acquire() {
        Check.arg(!closed, "metadata", "is closed");
        calls++;
    }

    /** Ends the hold of {@link #acquire}; the last call after {@link #close()} frees the attachments. */
    public void release() {
        boolean last;
        synchronized (this) {
            calls--;
            last = closed && calls == 0;
        }
        if (last) {
            closeAttachments();
        }
    }

    /** Checks that a call on {@code device} may use this metadata. */
    void checkUsable(String callDevice) {
        Check.arg(!isClosed(), "metadata", "is closed");
        Check.arg(device.equals(callDevice), "metadata", "lives on backend '%s', the call runs on '%s'", device,
                callDevice);
    }

    /**
     * Closes the index tensors and, once no kernel call holds this metadata, its attachments.
     * Idempotent. Calls running on other threads finish with the memory they started with.
     */
    @Override
    public void close() {
        boolean idle;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            idle = calls == 0;
        }
        blockTablesTensor.close();
        seqLensTensor.close();
        queryStartLocTensor.close();
        slotMappingTensor.close();
        if (idle) {
            closeAttachments();
        }
    }

    private void closeAttachments() {
        AutoCloseable[] all;
        synchronized (this) {
            all = attachments.values().toArray(new AutoCloseable[0]);
            attachments.clear();
        }
        RuntimeException failure = null;
        for (AutoCloseable a : all) {
            try {
                a.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing a metadata attachment failed", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
