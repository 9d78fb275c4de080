package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.KvLayout;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.HalfFloats;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The cache write into caches that already hold data: skipped tokens (-1) and slots no token
 * names must keep it, repeated slots take the later token. Both caches are outputs, and both are
 * checked against the contract computed here, slot by slot, on every backend, in the caches' layout
 * (NHD, or HND in cases named "layout=HND").
 */
final class WriteKvCase extends KernelCase {
    private final DType keyType;
    private final DType cacheType;
    private final int numKvHeads;
    private final int headDim;
    private final int blockSize;
    private final int numBlocks;
    private final int[] slotMapping;
    private final KvLayout layout;

    WriteKvCase(int index, long seed, DType keyType, DType cacheType, int numKvHeads, int headDim, int blockSize,
            int numBlocks, int[] slotMapping) {
        this(index, seed, keyType, cacheType, numKvHeads, headDim, blockSize, numBlocks, slotMapping, KvLayout.NHD);
    }

    WriteKvCase(int index, long seed, DType keyType, DType cacheType, int numKvHeads, int headDim, int blockSize,
            int numBlocks, int[] slotMapping, KvLayout layout) {
        super("writeKv", index, seed, loosest(keyType, cacheType), 0,
                String.format("%skey=%s cache=%s heads=%d dim=%d block=%d blocks=%d slots=%s",
                        layout == KvLayout.NHD ? "" : "layout=" + layout + " ", keyType, cacheType,
                        numKvHeads, headDim, blockSize, numBlocks, Arrays.toString(slotMapping).replace(" ", "")));
        this.layout = layout;
        this.keyType = keyType;
        this.cacheType = cacheType;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.blockSize = blockSize;
        this.numBlocks = numBlocks;
        this.slotMapping = slotMapping.clone();
    }

    /** The case's input arrays, the same on every call. */
    private record Data(float[] key, float[] value, float[] kBefore, float[] vBefore) {
    }

    private Data data() {
        Random r = new Random(seed());
        int rows = slotMapping.length * numKvHeads * headDim;
        int cacheLen = numBlocks * blockSize * numKvHeads * headDim;
        return new Data(Inputs.wide(r, rows), Inputs.wide(r, rows), Inputs.gaussian(r, cacheLen),
                Inputs.gaussian(r, cacheLen));
    }

    @Override
    public Map<String, float[]> run(Backend b) {
        Data d = data();
        int tokens = slotMapping.length;
        try (Tensor k = b.fromFloats(keyType, d.key(), tokens, numKvHeads, headDim);
                Tensor v = b.fromFloats(keyType, d.value(), tokens, numKvHeads, headDim);
                Tensor kc = b.fromFloats(cacheType, d.kBefore(), layout.shape(numBlocks, blockSize, numKvHeads, headDim));
                Tensor vc = b.fromFloats(cacheType, d.vBefore(), layout.shape(numBlocks, blockSize, numKvHeads, headDim));
                Tensor map = b.fromInts(slotMapping, tokens)) {
            b.writeKv(new WriteKvArgs(k, v, kc, vc, map, layout));
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("kCache", kc.toFloatArray());
            out.put("vCache", vc.toFloatArray());
            return out;
        }
    }

    /** Each slot holds the last token that names it, converted key dtype to cache dtype, or its old data. */
    @Override
    public String check(Map<String, float[]> outputs) {
        Data d = data();
        String k = checkCache("kCache", outputs.get("kCache"), d.key(), d.kBefore());
        return k != null ? k : checkCache("vCache", outputs.get("vCache"), d.value(), d.vBefore());
    }

    private String checkCache(String name, float[] got, float[] rows, float[] before) {
        int row = numKvHeads * headDim;
        float[] expected = new float[before.length];
        for (int i = 0; i < before.length; i++) {
            expected[i] = HalfFloats.roundTo(cacheType, before[i]);
        }
        for (int t = 0; t < slotMapping.length; t++) {
            for (int e = 0; slotMapping[t] >= 0 && e < row; e++) {
                int at = (int) layout.offset(slotMapping[t] / blockSize, slotMapping[t] % blockSize, e / headDim,
                        blockSize, numKvHeads, headDim) + e % headDim;
                expected[at] = HalfFloats.roundTo(cacheType, HalfFloats.roundTo(keyType, rows[t * row + e]));
            }
        }
        if (got == null || got.length != expected.length) {
            return name + ": missing or of the wrong length";
        }
        int i = KernelCheck.firstBitDifference(got, expected);
        return i < 0 ? null : String.format("%s: element %d (layout %s) is %s, the contract says %s", name, i, layout,
                got[i], expected[i]);
    }
}
