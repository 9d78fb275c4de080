package dev.npukit.check;

import dev.npukit.backend.Backend;
import dev.npukit.kernels.WriteKvArgs;
import dev.npukit.tensor.DType;
import dev.npukit.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The cache write into caches that already hold data: skipped tokens (-1) and slots no token
 * names must keep it, repeated slots take the later token. Both caches are outputs.
 */
final class WriteKvCase extends KernelCase {
    private final DType keyType;
    private final DType cacheType;
    private final int numKvHeads;
    private final int headDim;
    private final int blockSize;
    private final int numBlocks;
    private final int[] slotMapping;

    WriteKvCase(int index, long seed, DType keyType, DType cacheType, int numKvHeads, int headDim, int blockSize,
            int numBlocks, int[] slotMapping) {
        super("writeKv", index, seed, loosest(keyType, cacheType), 0,
                String.format("key=%s cache=%s heads=%d dim=%d block=%d blocks=%d slots=%s", keyType, cacheType,
                        numKvHeads, headDim, blockSize, numBlocks, Arrays.toString(slotMapping).replace(" ", "")));
        this.keyType = keyType;
        this.cacheType = cacheType;
        this.numKvHeads = numKvHeads;
        this.headDim = headDim;
        this.blockSize = blockSize;
        this.numBlocks = numBlocks;
        this.slotMapping = slotMapping.clone();
    }

    @Override
    public Map<String, float[]> run(Backend b) {
        Random r = new Random(seed());
        int tokens = slotMapping.length;
        int rows = tokens * numKvHeads * headDim;
        int cacheLen = numBlocks * blockSize * numKvHeads * headDim;
        float[] key = Inputs.wide(r, rows);
        float[] value = Inputs.wide(r, rows);
        float[] kBefore = Inputs.gaussian(r, cacheLen);
        float[] vBefore = Inputs.gaussian(r, cacheLen);
        try (Tensor k = b.fromFloats(keyType, key, tokens, numKvHeads, headDim);
                Tensor v = b.fromFloats(keyType, value, tokens, numKvHeads, headDim);
                Tensor kc = b.fromFloats(cacheType, kBefore, numBlocks, blockSize, numKvHeads, headDim);
                Tensor vc = b.fromFloats(cacheType, vBefore, numBlocks, blockSize, numKvHeads, headDim);
                Tensor map = b.fromInts(slotMapping, tokens)) {
            b.writeKv(new WriteKvArgs(k, v, kc, vc, map));
            Map<String, float[]> out = new LinkedHashMap<>();
            out.put("kCache", kc.toFloatArray());
            out.put("vCache", vc.toFloatArray());
            return out;
        }
    }
}
