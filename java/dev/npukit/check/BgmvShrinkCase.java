package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.BgmvShrinkArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * BGMV shrink into a y that holds junk beforehand: every row is overwritten, rows without an
 * adapter with zeros (checked exactly on every backend).
 */
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

    private record Data(float[] x, float[] a, int[] idx) {
    }

    private Data data() {
        Random r = new Random(seed());
        float[] x = Inputs.gaussian(r, batch * hIn);
        float[] a = Inputs.gaussian(r, loras * rank * hIn);
        return new Data(x, a, Inputs.loraIndices(r, batch, loras));
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        return shrink(be, data(), scale);
    }

    /** Every product x * a and the scale made non-negative. */
    @Override
    public Map<String, float[]> termMagnitudes(Backend reference) {
        Data d = data();
        return shrink(reference, new Data(Inputs.abs(d.x()), Inputs.abs(d.a()), d.idx()), Math.abs(scale));
    }

    private Map<String, float[]> shrink(Backend be, Data d, float scale) {
        try (Tensor xt = be.fromFloats(xType, d.x(), batch, hIn);
                Tensor at = be.fromFloats(aType, d.a(), loras, rank, hIn);
                Tensor it = be.fromInts(d.idx(), batch);
                Tensor yt = be.fromFloats(DType.F32, Inputs.filled(batch * rank, 99f), batch, rank)) {
            be.bgmvShrink(new BgmvShrinkArgs(xt, at, it, yt, scale));
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("y", yt.toFloatArray());
            return out;
        }
    }

    /** A row whose adapter index is -1 is +0 throughout. */
    @Override
    public String check(Map<String, float[]> outputs) {
        int[] idx = data().idx();
        float[] y = outputs.get("y");
        for (int b = 0; b < batch; b++) {
            for (int j = 0; idx[b] < 0 && j < rank; j++) {
                if (Float.floatToIntBits(y[b * rank + j]) != 0) {
                    return String.format("y: row %d has no adapter, yet element %d is %s", b, j, y[b * rank + j]);
                }
            }
        }
        return null;
    }
}
