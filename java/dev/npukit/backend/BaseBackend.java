package dev.npukit.backend;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.Check;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Storage;
import dev.npukit.tensor.Tensor;
import java.util.Objects;

/**
 * The part every backend shares: each kernel validates its arguments here, once, then calls the
 * backend's implementation with the derived sizes. Implementations never see unchecked input.
 */
public abstract class BaseBackend implements Backend {

    @Override
    public final Tensor allocate(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        long bytes = Math.multiplyExact(Tensor.numel(shape), dtype.byteSize());
        return Tensor.wrap(name(), dtype, shape, newStorage(bytes));
    }

    @Override
    public final void pagedAttention(AttentionArgs args) {
        Check.arg(args != null, "args", "is null");
        runPagedAttention(args, args.validate(name()));
    }

    @Override
    public final void writeKv(WriteKvArgs args) {
        Check.arg(args != null, "args", "is null");
        runWriteKv(args, args.validate(name()));
    }

    @Override
    public final void rope(RopeArgs args) {
        Check.arg(args != null, "args", "is null");
        runRope(args, args.validate(name()));
    }

    @Override
    public final void contrastive(ContrastiveArgs args) {
        Check.arg(args != null, "args", "is null");
        runContrastive(args, args.validate(name()));
    }

    @Override
    public final void bgmvShrink(BgmvShrinkArgs args) {
        Check.arg(args != null, "args", "is null");
        runBgmvShrink(args, args.validate(name()));
    }

    @Override
    public final void bgmvExpand(BgmvExpandArgs args) {
        Check.arg(args != null, "args", "is null");
        runBgmvExpand(args, args.validate(name()));
    }

    @Override
    public final void matmul(MatmulArgs args) {
        Check.arg(args != null, "args", "is null");
        runMatmul(args, args.validate(name()));
    }

    @Override
    public String toString() {
        return "Backend[" + name() + "]";
    }

    /** Zero-filled memory of {@code bytes} bytes. */
    protected abstract Storage newStorage(long bytes);

    protected abstract void runPagedAttention(AttentionArgs args, AttentionShape shape);

    protected abstract void runWriteKv(WriteKvArgs args, WriteKvArgs.Shape shape);

    protected abstract void runRope(RopeArgs args, RopeArgs.Shape shape);

    protected abstract void runContrastive(ContrastiveArgs args, ContrastiveArgs.Shape shape);

    protected abstract void runBgmvShrink(BgmvShrinkArgs args, BgmvShrinkArgs.Shape shape);

    protected abstract void runBgmvExpand(BgmvExpandArgs args, BgmvExpandArgs.Shape shape);

    protected abstract void runMatmul(MatmulArgs args, MatmulArgs.Shape shape);
}
