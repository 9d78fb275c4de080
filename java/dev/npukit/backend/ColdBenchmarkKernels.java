package dev.npukit.backend;

import dev.npukit.bridge.CpuColdKernels;
import dev.npukit.kernels.Check;
import dev.npukit.kernels.ContrastiveArgs;
import dev.npukit.kernels.LogitRows;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;

/**
 * Native helpers for {@code npukit bench contrastive} on the cpu backend, not part of the kernel
 * API: the unfused baseline the fused kernel is compared with.
 */
public final class ColdBenchmarkKernels {
    private ColdBenchmarkKernels() {
    }

    /**
     * The naive contrastive decoding (log-softmax into temporaries, mask, combine, argmax as
     * separate passes) writing {@code args.token()}; {@code workspace} is F32 [2 * B * vocab].
     */
    public static void naive(ContrastiveArgs args, Tensor workspace) {
        ContrastiveArgs.Shape s = args.validate(CpuBackend.NAME);
        Check.tensor("workspace", workspace, CpuBackend.NAME, 1, DType.F32);
        Check.dim("workspace", workspace, 0, 2L * s.batch() * s.vocab(), "2 * batch * vocab");
        LogitRows e = args.expert();
        LogitRows b = args.base();
        CpuBackend.check(CpuColdKernels.npukit_contrastive_naive(
                CpuBackend.addr(e.logits()), e.logits().numel(), e.firstRow(), e.rowStride(),
                CpuBackend.addr(b.logits()), b.logits().numel(), b.firstRow(), b.rowStride(),
                e.logits().dtype().code(), s.batch(), s.vocab(), s.lnAlpha(), args.beta(),
                CpuBackend.addr(args.token()), args.token().numel(),
                CpuBackend.addr(workspace), workspace.numel()));
    }
}
