package dev.npukit.mepic;

import java.util.Random;

/** Token arrays for tests: deterministic per seed, ids in [1, 32000) so they never equal the pad token 0. */
final class Tokens {
    private Tokens() {
    }

    static int[] random(long seed, int length) {
        Random r = new Random(seed);
        int[] t = new int[length];
        for (int i = 0; i < length; i++) {
            t[i] = 1 + r.nextInt(31999);
        }
        return t;
    }

    static Plan admitted(CacheManager m, Request r) {
        Admission a = m.admit(r);
        if (a instanceof Admission.Admitted ok) {
            return ok.plan();
        }
        throw new AssertionError("expected admission, got " + a);
    }
}
