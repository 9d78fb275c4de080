package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.BgmvExpandArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * BGMV expand added into a slice of y at an offset; the rest of y, and rows without an adapter,
 * must keep their bits (checked on every backend).
 */
final class BgmvExpandCase extends KernelCase {
    private final DType vType;
    private final DType wType;
    private final DType yType;
    private final int batch;
    private final int loras;
    private final int rank;
    private final int hOut;
    private final int offset;
    private final int yRow;

    BgmvExpandCase(int index, long seed, DType vType, DType wType, DType yType, int batch, int loras, int rank,
            int hOut, int offset, int yRow) {
        super("bgmvExpand", index, seed, loosest(vType, wType, yType), reductionBound(loosest(vType, wType, yType)),
                String.format("v=%s w=%s y=%s B=%d loras=%d r=%d hOut=%d offset=%d yRow=%d", vType, wType, yType,
                        batch, loras, rank, hOut, offset, yRow));
        this.vType = vType;
        this.wType = wType;
        this.yType = yType;
        this.batch = batch;
        this.loras = loras;
        this.rank = rank;
        this.hOut = hOut;
        this.offset = offset;
        this.yRow = yRow;
    }

    @Override
    public DType outputType(String output) {
        return yType;
    }

    private record Data(float[] v, float[] w, float[] y0, int[] idx) {
    }

    private Data data() {
        Random r = new Random(seed());
        float[] v = Inputs.gaussian(r, batch * rank);
        float[] w = Inputs.gaussian(r, loras * hOut * rank);
        float[] y0 = Inputs.gaussian(r, batch * yRow);
        return new Data(v, w, y0, Inputs.loraIndices(r, batch, loras));
    }

    @Override
    public Map<String, float[]> run(Backend be) {
        return expand(be, data());
    }

    /** y + v * w with every term non-negative. */
    @Override
    public Map<String, float[]> termMagnitudes(Backend reference) {
        Data d = data();
        return expand(reference, new Data(Inputs.abs(d.v()), Inputs.abs(d.w()), Inputs.abs(d.y0()), d.idx()));
    }

    private Map<String, float[]> expand(Backend be, Data d) {
        try (Tensor vt = be.fromFloats(vType, d.v(), batch, rank);
                Tensor wt = be.fromFloats(wType, d.w(), loras, hOut, rank);
                Tensor it = be.fromInts(d.idx(), batch);
                Tensor yt = be.fromFloats(yType, d.y0(), batch, yRow)) {
            be.bgmvExpand(new BgmvExpandArgs(vt, wt, it, yt, offset));
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("y", yt.toFloatArray());
            return out;
        }
    }

    /** Columns outside [offset, offset + hOut), and whole rows whose adapter index is -1, keep their bits. */
    @Override
    public String check(Map<String, float[]> outputs) {
        Data d = data();
        float[] y = outputs.get("y");
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < yRow; j++) {
                if (d.idx()[b] >= 0 && j >= offset && j < offset + hOut) {
                    continue;
                }
                float before = HalfFloats.roundTo(yType, d.y0()[b * yRow + j]);
                if (Float.floatToIntBits(y[b * yRow + j]) != Float.floatToIntBits(before)) {
                    return String.format("y: row %d column %d is %s, must stay %s", b, j, y[b * yRow + j], before);
                }
            }
        }
        return null;
    }
}
