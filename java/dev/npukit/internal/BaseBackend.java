package dev.npukit.internal;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.EmbeddingArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RmsNormArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.SiluMulArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.MemoryStats;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.util.Check;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The part every backend shares: each kernel call holds its tensors ({@link KernelCall}: a
 * tensor closed on another thread meanwhile is freed only when the call returns), validates its
 * arguments, once, then calls the backend's implementation with the derived sizes.
 * Implementations never see unchecked input, nor memory that can be freed under them. Tensor
 * memory is counted per backend ({@link #memoryStats()}). Not public API: the backends extend it.
 */
public abstract class BaseBackend implements Backend {
    private final MemoryAccount memory = new MemoryAccount();

    @Override
    public final Tensor allocate(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        long bytes = Math.multiplyExact(Tensor.numel(shape), dtype.byteSize());
        return TensorAccess.wrap(name(), dtype, shape, newStorage(bytes), memory);
    }

    @Override
    public final MemoryStats memoryStats() {
        return memory.stats();
    }

    @Override
    public final void pagedAttention(AttentionArgs args) {
        call(args, args == null ? null : args.metadata(), a -> runPagedAttention(a, a.validate(name())));
    }

    @Override
    public final void writeKv(WriteKvArgs args) {
        call(args, args == null ? null : args.metadata(), a -> runWriteKv(a, a.validate(name())));
    }

    @Override
    public final void rope(RopeArgs args) {
        call(args, null, a -> runRope(a, a.validate(name())));
    }

    @Override
    public final void contrastive(ContrastiveArgs args) {
        call(args, null, a -> runContrastive(a, a.validate(name())));
    }

    @Override
    public final void bgmvShrink(BgmvShrinkArgs args) {
        call(args, null, a -> runBgmvShrink(a, a.validate(name())));
    }

    @Override
    public final void bgmvExpand(BgmvExpandArgs args) {
        call(args, null, a -> runBgmvExpand(a, a.validate(name())));
    }

    @Override
    public final void matmul(MatmulArgs args) {
        call(args, null, a -> runMatmul(a, a.validate(name())));
    }

    @Override
    public final void rmsNorm(RmsNormArgs args) {
        call(args, null, a -> runRmsNorm(a, a.validate(name())));
    }

    @Override
    public final void siluMul(SiluMulArgs args) {
        call(args, null, a -> runSiluMul(a, a.validate(name())));
    }

    @Override
    public final void embedding(EmbeddingArgs args) {
        call(args, null, a -> runEmbedding(a, a.validate(name())));
    }

    /**
     * One kernel call: holds the metadata (first, so that a closed one is reported as such), then
     * every tensor of {@code args}, validates and runs {@code kernel}, and releases them all.
     */
    private <A extends TensorArgs> void call(A args, AttentionMetadata metadata, Consumer<A> kernel) {
        Check.arg(args != null, "args", "is null");
        if (metadata != null) {
            metadata.acquire();
        }
        try {
            TensorArgs outer = KernelCall.begin(args);
            try {
                kernel.accept(args);
            } finally {
                KernelCall.end(args, outer);
            }
        } finally {
            if (metadata != null) {
                metadata.release();
            }
        }
    }

    @Override
    public String toString() {
        return "Backend[" + name() + "]";
    }

    /**
     * Allocates this backend's memory for a tensor.
     *
     * @param bytes the size, &gt;= 0
     * @return zero-filled memory of {@code bytes} bytes
     */
    protected abstract Storage newStorage(long bytes);

    /**
     * Runs paged attention on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runPagedAttention(AttentionArgs args, AttentionShape shape);

    /**
     * Runs the cache write on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runWriteKv(WriteKvArgs args, WriteKvArgs.Shape shape);

    /**
     * Runs RoPE on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runRope(RopeArgs args, RopeArgs.Shape shape);

    /**
     * Runs contrastive scoring on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runContrastive(ContrastiveArgs args, ContrastiveArgs.Shape shape);

    /**
     * Runs BGMV shrink on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runBgmvShrink(BgmvShrinkArgs args, BgmvShrinkArgs.Shape shape);

    /**
     * Runs BGMV expand on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runBgmvExpand(BgmvExpandArgs args, BgmvExpandArgs.Shape shape);

    /**
     * Runs matmul on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runMatmul(MatmulArgs args, MatmulArgs.Shape shape);

    /**
     * Runs RMS norm on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runRmsNorm(RmsNormArgs args, RmsNormArgs.Shape shape);

    /**
     * Runs SiLU-and-multiply on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runSiluMul(SiluMulArgs args, SiluMulArgs.Shape shape);

    /**
     * Runs the embedding lookup on this backend; called with every tensor held and the arguments validated.
     *
     * @param args the arguments
     * @param shape the sizes their validation resolved
     */
    protected abstract void runEmbedding(EmbeddingArgs args, EmbeddingArgs.Shape shape);
}
