package dev.npukit.backend;

import dev.npukit.kernels.AttentionArgs;
import dev.npukit.kernels.AttentionShape;
import dev.npukit.kernels.RopeStyle;

/**
 * The reference paged attention: the definition of docs/kernels.md, paged attention written as directly as possible.
 * Keys and queries are rotated in float exactly like {@link ReferenceRope}; scores, softmax and
 * the weighted sum are computed in double with a plain two-pass softmax whose weights are
 * exp((dot - max dot) * scale), the max taken over dot * sign(scale): the same definition as the
 * native kernels, which never form dot * scale (a huge finite scale would overflow it).
 */
final class ReferenceAttention {
    private ReferenceAttention() {
    }

    static void run(AttentionArgs a, AttentionShape s) {
        if (s.numTokens() == 0) {
            return;  // no query rows: nothing to read or write, however large the cache shape
        }
        int d = s.headDim();
        int g = s.groupSize();
        int kvRow = Math.multiplyExact(s.numKvHeads(), d);
        float[] q = a.q().toFloatArray();
        float[] kCache = a.kCache().toFloatArray();
        float[] vCache = a.vCache().toFloatArray();
        int[] tables = a.blockTables().toIntArray();
        int[] lens = a.seqLens().toIntArray();
        int[] starts = a.queryStartLoc().toIntArray();
        boolean rotate = a.ropeStyle() != RopeStyle.NONE;
        float[] cs = rotate ? a.cosSin().toFloatArray() : null;
        float[] out = new float[Math.toIntExact(a.out().numel())];

        for (int seq = 0; seq < s.numSeqs(); seq++) {
            int qLen = starts[seq + 1] - starts[seq];
            int len = lens[seq];
            if (qLen == 0) {
                continue;
            }
            // Gather this sequence's keys (rotated to their slot positions) and values.
            float[] keys = new float[Math.multiplyExact(len, kvRow)];
            float[] values = new float[keys.length];
            for (int j = 0; j < len; j++) {
                int block = tables[seq * s.maxBlocksPerSeq() + j / s.blockSize()];
                for (int kh = 0; kh < s.numKvHeads(); kh++) {
                    int src = Math.toIntExact(a.layout().offset(block, j % s.blockSize(), kh, s.blockSize(),
                            s.numKvHeads(), d));
                    System.arraycopy(kCache, src, keys, j * kvRow + kh * d, d);
                    System.arraycopy(vCache, src, values, j * kvRow + kh * d, d);
                    if (rotate) {
                        ReferenceRope.rotate(keys, j * kvRow + kh * d, cs, j * s.rotaryDim(), s.rotaryDim(),
                                a.ropeStyle());
                    }
                }
            }
            float[] qv = new float[d];
            double[] scores = new double[len];
            double sign = s.scale() < 0 ? -1 : 1;
            double magnitude = Math.abs((double) s.scale());
            for (int i = 0; i < qLen; i++) {
                int token = starts[seq] + i;
                int pos = len - qLen + i;
                for (int h = 0; h < s.numHeads(); h++) {
                    int kh = h / g;
                    System.arraycopy(q, (token * s.numHeads() + h) * d, qv, 0, d);
                    if (rotate) {
                        ReferenceRope.rotate(qv, 0, cs, pos * s.rotaryDim(), s.rotaryDim(), a.ropeStyle());
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= pos; j++) {
                        double dot = 0;
                        int k = j * kvRow + kh * d;
                        for (int e = 0; e < d; e++) {
                            dot += (double) qv[e] * keys[k + e];
                        }
                        scores[j] = sign * dot;
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= pos; j++) {
                        scores[j] = Math.exp((scores[j] - max) * magnitude);
                        sum += scores[j];
                    }
                    int o = (token * s.numHeads() + h) * d;
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j <= pos; j++) {
                            acc += scores[j] * values[j * kvRow + kh * d + e];
                        }
                        out[o + e] = (float) (acc / sum);
                    }
                }
            }
        }
        a.out().copyFrom(out);
    }
}
