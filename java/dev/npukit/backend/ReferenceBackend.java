package dev.npukit.backend;

import dev.npukit.internal.BaseBackend;
import dev.npukit.internal.HeapStorage;
import dev.npukit.internal.Storage;
import dev.npukit.kernels.AttentionArgs;
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

/**
 * The plain-Java backend: obviously correct, slow, always available. It is the oracle that the
 * equality tests hold every other backend to (docs/kernels.md, equality between backends).
 */
public final class ReferenceBackend extends BaseBackend {
    /** The name {@link Backends#get} takes: "reference". */
    public static final String NAME = "reference";

    /** A new instance; applications get the shared one from {@link Backends}. */
    ReferenceBackend() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public BackendInfo info() {
        return new BackendInfo(NAME, true, "plain Java oracle", "java");
    }

    @Override
    protected Storage newStorage(long bytes) {
        return new HeapStorage(bytes);
    }

    @Override
    protected void runPagedAttention(AttentionArgs args, AttentionShape shape) {
        ReferenceAttention.run(args, shape);
    }

    @Override
    protected void runWriteKv(WriteKvArgs args, WriteKvArgs.Shape shape) {
        ReferenceCacheWrite.run(args, shape);
    }

    @Override
    protected void runRope(RopeArgs args, RopeArgs.Shape shape) {
        ReferenceRope.run(args, shape);
    }

    @Override
    protected void runContrastive(ContrastiveArgs args, ContrastiveArgs.Shape shape) {
        ReferenceContrastive.run(args, shape);
    }

    @Override
    protected void runBgmvShrink(BgmvShrinkArgs args, BgmvShrinkArgs.Shape shape) {
        ReferenceBgmv.shrink(args, shape);
    }

    @Override
    protected void runBgmvExpand(BgmvExpandArgs args, BgmvExpandArgs.Shape shape) {
        ReferenceBgmv.expand(args, shape);
    }

    @Override
    protected void runMatmul(MatmulArgs args, MatmulArgs.Shape shape) {
        ReferenceMatmul.run(args, shape);
    }

    @Override
    protected void runRmsNorm(RmsNormArgs args, RmsNormArgs.Shape shape) {
        ReferenceRmsNorm.run(args, shape);
    }

    @Override
    protected void runSiluMul(SiluMulArgs args, SiluMulArgs.Shape shape) {
        ReferenceSiluMul.run(args, shape);
    }

    @Override
    protected void runEmbedding(EmbeddingArgs args, EmbeddingArgs.Shape shape) {
        ReferenceEmbedding.run(args, shape);
    }
}
