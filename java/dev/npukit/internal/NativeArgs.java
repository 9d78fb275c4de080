package dev.npukit.internal;

import dev.npukit.bridge.NativeAbi;
import dev.npukit.bridge.NativeAbi.npukit_attention_args;
import dev.npukit.bridge.NativeAbi.npukit_bgmv_expand_args;
import dev.npukit.bridge.NativeAbi.npukit_bgmv_shrink_args;
import dev.npukit.bridge.NativeAbi.npukit_contrastive_args;
import dev.npukit.bridge.NativeAbi.npukit_embedding_args;
import dev.npukit.bridge.NativeAbi.npukit_matmul_args;
import dev.npukit.bridge.NativeAbi.npukit_rms_norm_args;
import dev.npukit.bridge.NativeAbi.npukit_silu_mul_args;
import dev.npukit.bridge.NativeAbi.npukit_rope_args;
import dev.npukit.bridge.NativeAbi.npukit_tensor;
import dev.npukit.bridge.NativeAbi.npukit_write_kv_args;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.Tensor;
import java.util.function.ToLongFunction;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;

/**
 * Marshals validated argument records into the native ABI's structs (native/include/npukit), the
 * one place that does so for every native backend: a backend supplies where its tensors' memory
 * is ({@code address}) and what kind it is ({@code location}).
 *
 * <p>Each thread reuses one struct per kernel family (and one seed buffer), so a call allocates
 * no native memory; a struct is filled completely, absent tensors zeroed, right before the native
 * call on the same thread, and nothing keeps it afterwards. Each tensor takes one JNI crossing.
 */
public final class NativeArgs {
    /** Native status codes, read from npukit/common.h. */
    public static final int ERR_DATA = NativeAbi.NPUKIT_ERR_DATA();

    public static final int HOST = NativeAbi.NPUKIT_HOST();
    public static final int DEVICE = NativeAbi.NPUKIT_DEVICE();

    private static final ThreadLocal<Structs> STRUCTS = ThreadLocal.withInitial(Structs::new);

    private final ToLongFunction<Tensor> address;
    private final int location;

    /**
     * @param address where a held tensor's element 0 is ({@link NativeStorage#address}, {@link AscendStorage#address})
     * @param location {@link #HOST} or {@link #DEVICE}
     */
    public NativeArgs(ToLongFunction<Tensor> address, int location) {
        this.address = address;
        this.location = location;
    }

    public npukit_attention_args attention(AttentionArgs a, AttentionShape s) {
        Structs st = STRUCTS.get();
        set(st.attQ, a.q());
        set(st.attK, a.kCache());
        set(st.attV, a.vCache());
        HostMirror mirror = mirror(a.metadata());
        set(st.attTables, a.blockTables(), mirror == null ? 0L : mirror.blockTables.address());
        set(st.attLens, a.seqLens(), mirror == null ? 0L : mirror.seqLens.address());
        set(st.attStarts, a.queryStartLoc(), mirror == null ? 0L : mirror.queryStartLoc.address());
        if (s.rotaryDim() > 0) {
            set(st.attCosSin, a.cosSin());
        } else {
            clear(st.attCosSin);
        }
        set(st.attOut, a.out());
        return st.attention.rope_style(a.ropeStyle().code()).rotary_dim(s.rotaryDim()).scale(s.scale());
    }

    public npukit_write_kv_args writeKv(WriteKvArgs a) {
        Structs st = STRUCTS.get();
        set(st.kvKey, a.key());
        set(st.kvValue, a.value());
        set(st.kvK, a.kCache());
        set(st.kvV, a.vCache());
        HostMirror mirror = mirror(a.metadata());
        set(st.kvSlots, a.slotMapping(), mirror == null ? 0L : mirror.slotMapping.address());
        return st.writeKv;
    }

    public npukit_rope_args rope(RopeArgs a, RopeArgs.Shape s) {
        Structs st = STRUCTS.get();
        set(st.ropeX, a.x());
        setIndices(st, st.ropePositions, a.positions());
        set(st.ropeCosSin, a.cosSin());
        return st.rope.rope_style(a.style().code()).rotary_dim(s.rotaryDim());
    }

    public npukit_contrastive_args contrastive(ContrastiveArgs a, ContrastiveArgs.Shape s) {
        Structs st = STRUCTS.get();
        npukit_contrastive_args c = st.contrastive;
        LogitRows e = a.expert();
        LogitRows b = a.base();
        set(st.cExpert, e.logits());
        set(st.cBase, b.logits());
        set(st.cToken, a.token());
        set(st.cScore, a.score());
        set(st.cValid, a.validCount());
        if (s.topK() > 0) {
            set(st.cTopkIndex, a.topkIndices());
            set(st.cTopkScore, a.topkScores());
        } else {
            clear(st.cTopkIndex);
            clear(st.cTopkScore);
        }
        long seeds = 0L;
        long numSeeds = 0L;
        if (s.sampling()) {
            seeds = st.seeds(a.seeds());
            numSeeds = a.seeds().length;
        }
        // A stride is never applied to fewer than two rows; passed as 1 then, so that a backend's
        // 32-bit stride limit (the Ascend launcher's) cannot refuse a call the others accept.
        boolean strided = s.batch() > 1;
        return c.expert_first_row(e.firstRow()).expert_row_stride(strided ? e.rowStride() : 1)
                .base_first_row(b.firstRow()).base_row_stride(strided ? b.rowStride() : 1)
                .top_k(s.topK()).ln_alpha(s.lnAlpha()).beta(a.beta()).temperature(a.temperature())
                .seeds(seeds).num_seeds(numSeeds);
    }

    /** The descriptor of {@code t} in this thread's spare descriptor (for helpers outside the kernel ABI). */
    public npukit_tensor spare(Tensor t) {
        npukit_tensor d = STRUCTS.get().spare;
        set(d, t);
        return d;
    }

    public npukit_bgmv_shrink_args bgmvShrink(BgmvShrinkArgs a) {
        Structs st = STRUCTS.get();
        set(st.shrinkX, a.x());
        set(st.shrinkA, a.a());
        setIndices(st, st.shrinkIndices, a.indices());
        set(st.shrinkY, a.y());
        return st.shrink.scale(a.scale());
    }

    public npukit_bgmv_expand_args bgmvExpand(BgmvExpandArgs a) {
        Structs st = STRUCTS.get();
        set(st.expandV, a.v());
        set(st.expandW, a.w());
        setIndices(st, st.expandIndices, a.indices());
        set(st.expandY, a.y());
        return st.expand.offset(a.offset());
    }

    public npukit_matmul_args matmul(MatmulArgs a) {
        Structs st = STRUCTS.get();
        set(st.mmX, a.x());
        set(st.mmWeight, a.weight());
        setOptional(st.mmBias, a.bias());
        set(st.mmOut, a.out());
        return st.matmul;
    }

    public npukit_rms_norm_args rmsNorm(RmsNormArgs a) {
        Structs st = STRUCTS.get();
        set(st.rmsX, a.x());
        setOptional(st.rmsResidual, a.residual());
        set(st.rmsWeight, a.weight());
        set(st.rmsOut, a.out());
        return st.rmsNorm.eps(a.eps());
    }

    public npukit_silu_mul_args siluMul(SiluMulArgs a) {
        Structs st = STRUCTS.get();
        set(st.siluGateUp, a.gateUp());
        set(st.siluOut, a.out());
        return st.siluMul;
    }

    public npukit_embedding_args embedding(EmbeddingArgs a) {
        Structs st = STRUCTS.get();
        set(st.embTable, a.table());
        setIndices(st, st.embIds, a.ids());
        set(st.embOut, a.out());
        return st.embedding;
    }

    /**
     * Host copies of a metadata's validated indices for the launchers' re-checks, made once per
     * metadata; none on the host, where the index tensors are read in place.
     */
    private HostMirror mirror(AttentionMetadata metadata) {
        if (metadata == null || location == HOST) {
            return null;
        }
        return metadata.attachment(HostMirror.class, HostMirror::new);
    }

    private void set(npukit_tensor d, Tensor t) {
        set(d, t, 0L);
    }

    /** An optional tensor: its descriptor, or an all-zero one (absent) for null. */
    private void setOptional(npukit_tensor d, Tensor t) {
        if (t == null) {
            clear(d);
        } else {
            set(d, t);
        }
    }

    /**
     * An index tensor (rope positions, BGMV indices, embedding ids): on the device, with the host copy its
     * storage keeps ({@link TensorAccess#hostInts}) in this thread's index buffer, so that the
     * launcher checks the indices without copying them back from the device.
     */
    private void setIndices(Structs st, npukit_tensor d, Tensor t) {
        int[] kept = location == DEVICE ? TensorAccess.hostInts(t) : null;
        if (kept == null) {
            set(d, t);
            return;
        }
        int first = Math.toIntExact(TensorAccess.byteOffset(t) / 4);
        set(d, t, st.indices(kept, first, Math.toIntExact(t.numel())));
    }

    private void set(npukit_tensor d, Tensor t, long host) {
        int rank = t.rank();
        NativeAbi.npukit_tensor_set(d, address.applyAsLong(t), t.dtype().code(), rank,
                rank > 0 ? t.dim(0) : 0, rank > 1 ? t.dim(1) : 0, rank > 2 ? t.dim(2) : 0, rank > 3 ? t.dim(3) : 0,
                t.numel(), location, host);
    }

    /** A metadata's validated indices in native host memory (npukit_tensor.host of its device tensors). */
    private static final class HostMirror implements AutoCloseable {
        final IntPointer blockTables;
        final IntPointer seqLens;
        final IntPointer queryStartLoc;
        final IntPointer slotMapping;

        HostMirror(AttentionMetadata metadata) {
            int[][] values = metadata.hostIndices();
            blockTables = copy(values[0]);
            seqLens = copy(values[1]);
            queryStartLoc = copy(values[2]);
            slotMapping = copy(values[3]);
        }

        /** Native memory holding the values (at least one element, so the address is never 0). */
        private static IntPointer copy(int[] values) {
            IntPointer p = new IntPointer(Math.max(1, values.length));
            p.put(values, 0, values.length);
            return p;
        }

        @Override
        public void close() {
            blockTables.close();
            seqLens.close();
            queryStartLoc.close();
            slotMapping.close();
        }
    }

    private static void clear(npukit_tensor d) {
        NativeAbi.npukit_tensor_set(d, 0L, 0, 0, 0, 0, 0, 0, 0, 0, 0L);
    }

    /** One thread's structs, with views of their tensor members taken once. */
    private static final class Structs {
        final npukit_attention_args attention = new npukit_attention_args();
        final npukit_tensor attQ = attention.q();
        final npukit_tensor attK = attention.k_cache();
        final npukit_tensor attV = attention.v_cache();
        final npukit_tensor attTables = attention.block_tables();
        final npukit_tensor attLens = attention.seq_lens();
        final npukit_tensor attStarts = attention.query_start_loc();
        final npukit_tensor attCosSin = attention.cos_sin();
        final npukit_tensor attOut = attention.out();

        final npukit_write_kv_args writeKv = new npukit_write_kv_args();
        final npukit_tensor kvKey = writeKv.key();
        final npukit_tensor kvValue = writeKv.value();
        final npukit_tensor kvK = writeKv.k_cache();
        final npukit_tensor kvV = writeKv.v_cache();
        final npukit_tensor kvSlots = writeKv.slot_mapping();

        final npukit_rope_args rope = new npukit_rope_args();
        final npukit_tensor ropeX = rope.x();
        final npukit_tensor ropePositions = rope.positions();
        final npukit_tensor ropeCosSin = rope.cos_sin();

        final npukit_contrastive_args contrastive = new npukit_contrastive_args();
        final npukit_tensor cExpert = contrastive.expert();
        final npukit_tensor cBase = contrastive.base();
        final npukit_tensor cToken = contrastive.token();
        final npukit_tensor cScore = contrastive.score();
        final npukit_tensor cValid = contrastive.valid_count();
        final npukit_tensor cTopkIndex = contrastive.topk_index();
        final npukit_tensor cTopkScore = contrastive.topk_score();

        final npukit_bgmv_shrink_args shrink = new npukit_bgmv_shrink_args();
        final npukit_tensor shrinkX = shrink.x();
        final npukit_tensor shrinkA = shrink.a();
        final npukit_tensor shrinkIndices = shrink.indices();
        final npukit_tensor shrinkY = shrink.y();

        final npukit_bgmv_expand_args expand = new npukit_bgmv_expand_args();
        final npukit_tensor expandV = expand.v();
        final npukit_tensor expandW = expand.w();
        final npukit_tensor expandIndices = expand.indices();
        final npukit_tensor expandY = expand.y();

        final npukit_matmul_args matmul = new npukit_matmul_args();
        final npukit_tensor mmX = matmul.x();
        final npukit_tensor mmWeight = matmul.weight();
        final npukit_tensor mmBias = matmul.bias();
        final npukit_tensor mmOut = matmul.out();

        final npukit_rms_norm_args rmsNorm = new npukit_rms_norm_args();
        final npukit_tensor rmsX = rmsNorm.x();
        final npukit_tensor rmsResidual = rmsNorm.residual();
        final npukit_tensor rmsWeight = rmsNorm.weight();
        final npukit_tensor rmsOut = rmsNorm.out();

        final npukit_silu_mul_args siluMul = new npukit_silu_mul_args();
        final npukit_tensor siluGateUp = siluMul.gate_up();
        final npukit_tensor siluOut = siluMul.out();

        final npukit_embedding_args embedding = new npukit_embedding_args();
        final npukit_tensor embTable = embedding.table();
        final npukit_tensor embIds = embedding.ids();
        final npukit_tensor embOut = embedding.out();

        final npukit_tensor spare = new npukit_tensor();

        private LongPointer seedBuffer = new LongPointer(16);
        private IntPointer indexBuffer = new IntPointer(64);

        /** The host address of a copy of {@code values[first, first + count)} in this thread's index buffer. */
        long indices(int[] values, int first, int count) {
            if (indexBuffer.capacity() < Math.max(1, count)) {
                indexBuffer.close();
                indexBuffer = new IntPointer(Math.max(count, 2 * indexBuffer.capacity()));
            }
            indexBuffer.position(0).put(values, first, count);
            return indexBuffer.address();
        }

        /** The host address of a copy of {@code seeds} in this thread's seed buffer. */
        long seeds(long[] seeds) {
            if (seedBuffer.capacity() < seeds.length) {
                seedBuffer.close();
                seedBuffer = new LongPointer(Math.max(seeds.length, 2 * seedBuffer.capacity()));
            }
            seedBuffer.position(0).put(seeds, 0, seeds.length);
            return seedBuffer.address();
        }
    }
}
