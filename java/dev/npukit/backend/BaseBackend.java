package dev.npukit.backend;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionMetadata;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.MatmulArgs;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.KernelCall;
import dev.npukit.tensor.MemoryAccount;
import dev.npukit.tensor.MemoryStats;
import dev.npukit.tensor.Storage;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.util.Check;
import java.util.Objects;

/**
 * The part every backend shares: each kernel call holds its tensors ({@link KernelCall}: a
 * tensor closed on another thread meanwhile is freed only when the call returns), validates its
 * arguments, once, then calls the backend's implementation with the derived sizes.
 * Implementations never see unchecked input, nor memory that can be freed under them. Tensor
 * memory is counted per backend ({@link #memoryStats()}).
 */
public abstract class BaseBackend implements Backend {
    private final MemoryAccount memory = new MemoryAccount();

    @Override
    public final Tensor allocate(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        long bytes = Math.multiplyExact(Tensor.numel(shape), dtype.byteSize());
        return Tensor.wrap(name(), dtype, shape, newStorage(bytes), memory);
    }

    @Override
    public final MemoryStats memoryStats() {
        return memory.stats();
    }

    @Override
    public final void pagedAttention(AttentionArgs args) {
        Check.arg(args != null, "args", "is null");
        AttentionMetadata md = args.metadata();
        if (md != null) {
            md.acquire();  // first, so that a closed metadata is reported as such
        }
        try {
            TensorArgs outer = KernelCall.begin(args);
            try {
                runPagedAttention(args, args.validate(name()));
            } finally {
                KernelCall.end(args, outer);
            }
        } finally {
            if (md != null) {
                md.release();
            }
        }
    }

    @Override
    public final void writeKv(WriteKvArgs args) {
        Check.arg(args != null, "args", "is null");
        AttentionMetadata md = args.metadata();
        if (md != null) {
            md.acquire();  // first, so that a closed metadata is reported as such
        }
        try {
            TensorArgs outer = KernelCall.begin(args);
            try {
                runWriteKv(args, args.validate(name()));
            } finally {
                KernelCall.end(args, outer);
            }
        } finally {
            if (md != null) {
                md.release();
            }
        }
    }

    @Override
    public final void rope(RopeArgs args) {
        Check.arg(args != null, "args", "is null");
        TensorArgs outer = KernelCall.begin(args);
        try {
            runRope(args, args.validate(name()));
        } finally {
            KernelCall.end(args, outer);
        }
    }

    @Override
    public final void contrastive(ContrastiveArgs args) {
        Check.arg(args != null, "args", "is null");
        TensorArgs outer = KernelCall.begin(args);
        try {
            runContrastive(args, args.validate(name()));
        } finally {
            KernelCall.end(args, outer);
        }
    }

    @Override
    public final void bgmvShrink(BgmvShrinkArgs args) {
        Check.arg(args != null, "args", "is null");
        TensorArgs outer = KernelCall.begin(args);
        try {
            runBgmvShrink(args, args.validate(name()));
        } finally {
            KernelCall.end(args, outer);
        }
    }

    @Override
    public final void bgmvExpand(BgmvExpandArgs args) {
        Check.arg(args != null, "args", "is null");
        TensorArgs outer = KernelCall.begin(args);
        try {
            runBgmvExpand(args, args.validate(name()));
        } finally {
            KernelCall.end(args, outer);
        }
    }

    @Override
    public final void matmul(MatmulArgs args) {
        Check.arg(args != null, "args", "is null");
        TensorArgs outer = KernelCall.begin(args);
        try {
            runMatmul(args, args.validate(name()));
        } finally {
            KernelCall.end(args, outer);
        }
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
