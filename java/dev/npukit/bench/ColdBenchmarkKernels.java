package dev.npukit.bench;

import dev.npukit.backend.CpuBackend;
import dev.npukit.bridge.CpuBenchKernels;
import dev.npukit.bridge.NativeAbi.npukit_contrastive_args;
import dev.npukit.internal.KernelCall;
import dev.npukit.internal.NativeArgs;
import dev.npukit.internal.NativeStatus;
import dev.npukit.internal.NativeStorage;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import dev.npukit.tensor.TensorArgs;
import dev.npukit.tensor.TensorSlots;
import dev.npukit.util.Check;

/**
 * Native helpers for {@code npukit bench contrastive} on the cpu backend, not part of the kernel
 * API: the unfused baseline the fused kernel is compared with. Holds its tensors while it runs,
 * like the kernel calls ({@link KernelCall}).
 */
public final class ColdBenchmarkKernels {
    private ColdBenchmarkKernels() {
    }
    /**
     * The naive contrastive decoding (log-softmax into temporaries, mask, combine, argmax as
     * separate passes) writing {@code args.token()}; {@code workspace} is F32 [2 * B * vocab].
     */
    public static void naive(ContrastiveArgs args, Tensor workspace) {
        Check.arg(args != null, "args", "is null");
        NaiveArgs held = new NaiveArgs(args, workspace);
        TensorArgs outer = KernelCall.begin(held);
        try {
            ContrastiveArgs.Shape s = args.validate(CpuBackend.NAME);
            Check.tensor("workspace", workspace, CpuBackend.NAME, 1, DType.F32);
            Check.dim("workspace", workspace, 0, 2L * s.batch() * s.vocab(), "2 * batch * vocab");
            NativeArgs marshal = new NativeArgs(NativeStorage::address, NativeArgs.HOST);
            npukit_contrastive_args c = marshal.contrastive(args, s);
            NativeStatus.checkCpu(CpuBenchKernels.npukit_cpu_contrastive_naive(c, marshal.spare(workspace)));
        } finally {
            KernelCall.end(held, outer);
        }
    }

    /**
     * The tensors {@link #naive} holds while it runs: those of the contrastive arguments, then the workspace,
     * which it writes.
     */
    private record NaiveArgs(ContrastiveArgs args, Tensor workspace, TensorSlots slots) implements TensorArgs {
        NaiveArgs(ContrastiveArgs args, Tensor workspace) {
            this(args, workspace, args.slots().plus("workspace", true));
        }

        @Override
        public Tensor tensor(int i) {
            return i < args.tensorCount() ? args.tensor(i) : workspace;
        }
    }
}
