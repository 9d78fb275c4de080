package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** BGMV shrink into a y that holds junk beforehand: every row is overwritten, rows without an adapter with zeros. */
final class BgmvShrinkCase extends KernelCase {
    private final DType xType;
    private final DType aType;
    private final int batch;
    private final int loras;
    private final int rank;
    private final int hIn;
    private final float scale;

    BgmvShrinkCase(int index, long seed, DType xType, DType aType, int batch, int loras, int rank, int hIn,
            float scale) {
        super("bgmvShrink", index, seed, loosest(xType, aType), reductionBound(loosest(xType, aType)),
                String.format("x=%s a=%s B=%d loras=%d r=%d hIn=%d scale=%s", xType, aType, batch, loras, rank, hIn,
                        scale));
        this.xType = xType;
        this.aType = aType;
        this.batch = batch;
        this.loras = loras;
        this.rank = rank;
        this.hIn = hIn;
        this.scale = scale;
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        Random r = new Random(seed());
        float[] x = Inputs.gaussian(r, batch * hIn);
        float[] a = Inputs.gaussian(r, loras * rank * hIn);
        int[] idx = Inputs.loraIndices(r, batch, loras);
        try (Tensor xt = be.fromFloats(xType, x, batch, hIn);
                Tensor at = be.fromFloats(aType, a, loras, rank, hIn);
                Tensor it = be.fromInts(idx, batch);
                Tensor yt = be.fromFloats(DType.F32, Inputs.filled(batch * rank, 99f), batch, rank)) {
            be.bgmvShrink(new BgmvShrinkArgs(xt, at, it, yt, scale));
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("y", yt.toFloatArray());
            return out;
        }
    }
}
