package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.RopeArgs;
import dev.npukit.kernels.RopeStyle;
import dev.npukit.kernels.RopeTables;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/** Standalone RoPE in place, at random positions of a table of {@code maxPosition} rows. */
final class RopeCase extends KernelCase {
    private final DType type;
    private final RopeStyle style;
    private final int tokens;
    private final int heads;
    private final int headDim;
    private final int rotaryDim;
    private final int maxPosition;

    RopeCase(int index, long seed, DType type, RopeStyle style, int tokens, int heads, int headDim, int rotaryDim,
            int maxPosition) {
        super("rope", index, seed, type, 0, String.format("x=%s %s rot=%d/%d tokens=%d heads=%d maxPos=%d", type,
                style, rotaryDim, headDim, tokens, heads, maxPosition));
        this.type = type;
        this.style = style;
        this.tokens = tokens;
        this.heads = heads;
        this.headDim = headDim;
        this.rotaryDim = rotaryDim;
        this.maxPosition = maxPosition;
    }

    @Override
    public Map<String, float[]> run(Backend b) {
        Random r = new Random(seed());
        float[] x = Inputs.wide(r, tokens * heads * headDim);
        int[] pos = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            pos[t] = r.nextInt(maxPosition);
        }
        float[] table = RopeTables.cosSin(maxPosition, rotaryDim, 10000.0);
        try (Tensor xt = b.fromFloats(type, x, tokens, heads, headDim);
                Tensor p = b.fromInts(pos, tokens);
                Tensor cs = b.fromFloats(DType.F32, table, maxPosition, rotaryDim)) {
            b.rope(new RopeArgs(xt, p, cs, style, rotaryDim));
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("x", xt.toFloatArray());
            return out;
        }
    }
}
