package dev.npukit.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sampler's own logarithm is accurate, and its noise has the Gumbel distribution's moments. */
class GumbelNoiseTest {
    @Test
    void ownLogIsWithinAFewUlpOfMathLog() {
        java.util.Random r = new java.util.Random(3);
        for (int n = 0; n < 200_000; n++) {
            float x = n < 1000 ? 1.0f - n * 0x1p-24f : (float) Math.exp(r.nextDouble() * 60 - 40);
            double exact = Math.log(x);
            double err = Math.abs(GumbelNoise.log(x) - exact);
            assertTrue(err <= 4 * Math.ulp((float) exact) + 1e-12, "ln " + x + ": " + GumbelNoise.log(x) + " vs " + exact);
        }
        assertEquals(0f, GumbelNoise.log(1f));
    }

    @Test
    void noiseHasGumbelMeanAndVariance() {
        int n = 400_000;
        double sum = 0;
        double sq = 0;
        long key = GumbelNoise.rowKey(42, 3);
        for (int i = 0; i < n; i++) {
            double g = GumbelNoise.noise(key, i);
            assertTrue(Double.isFinite(g));
            sum += g;
            sq += g * g;
        }
        double mean = sum / n;
        double var = sq / n - mean * mean;
        assertEquals(0.5772156649, mean, 0.01, "Euler-Mascheroni constant");
        assertEquals(Math.PI * Math.PI / 6, var, 0.03);
    }
}
