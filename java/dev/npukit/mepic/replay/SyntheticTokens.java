package dev.npukit.mepic.replay;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Token ids for synthetic workloads: the same key always gives the same tokens, so a chunk named in a trace
 * or drawn from a generator's corpus has one identity. Ids fall in [1, 32000), a Mistral-sized vocabulary,
 * and never equal the default pad token 0.
 */
final class SyntheticTokens {
    private static final int VOCAB = 32000;

    private SyntheticTokens() {
    }

    static int[] of(String key, int length) {
        long seed = 1125899906842597L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            seed = 31 * seed + b;
        }
        return of(seed, length);
    }

    static int[] of(long seed, int length) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = 1 + r.nextInt(VOCAB - 1);
        }
        return t;
    }
}
