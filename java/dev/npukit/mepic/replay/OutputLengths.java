package dev.npukit.mepic.replay;

import java.util.SplittableRandom;

/** Decode lengths of generated requests: uniform in [mean/2, 3·mean/2], so the mean is the given one. */
final class OutputLengths {
    private OutputLengths() {
    }

    static int draw(SplittableRandom rnd, int mean) {
        return mean <= 1 ? mean : mean / 2 + rnd.nextInt(mean + 1);
    }
}
