package dev.npukit.kernels;

import dev.npukit.util.Check;

/** Builds the cos/sin tables that the rotary kernels read. */
public final class RopeTables {
    private RopeTables() {
    }

    /**
     * The standard Llama table, row-major [maxPosition, rotaryDim]: for position p and
     * i &lt; rotaryDim/2, cos(p * theta^(-2i/rotaryDim)) at column i and the sine at column
     * rotaryDim/2 + i. Computed in double, stored as float.
     *
     * @param maxPosition positions (rows) of the table, &gt; 0; at least the longest sequence with query rows
     * @param rotaryDim rotated dimensions per head (columns), even and &gt; 0
     * @param theta the RoPE base, &gt; 1 (Llama: 10000 or 500000)
     * @return a new array of maxPosition * rotaryDim floats
     * @throws IllegalArgumentException if a value is outside its range
     * @throws ArithmeticException if maxPosition * rotaryDim overflows an int
     */
    public static float[] cosSin(int maxPosition, int rotaryDim, double theta) {
        Check.arg(rotaryDim > 0 && rotaryDim % 2 == 0, "rotaryDim", "is %d, must be even and positive", rotaryDim);
        Check.arg(theta > 1, "theta", "is %s, must be > 1", theta);
        double[] invFreq = new double[rotaryDim / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = Math.pow(theta, -2.0 * i / rotaryDim);
        }
        return cosSin(maxPosition, invFreq);
    }

    /**
     * The table for given inverse frequencies (radians per position), row-major
     * [maxPosition, 2 * invFreq.length]: cos(p * invFreq[i]) at column i and the sine at column
     * invFreq.length + i. This is how scaled RoPE variants (linear, Llama 3, ...) reach the
     * kernels: they differ only in the frequencies. Computed in double, stored as float.
     *
     * @param maxPosition positions covered, positive
     * @param invFreq one inverse frequency per rotated pair, at least one, each finite
     * @return the table, maxPosition · 2 · invFreq.length floats
     * @throws IllegalArgumentException if maxPosition is not positive or invFreq is empty or not finite
     */
    public static float[] cosSin(int maxPosition, double[] invFreq) {
        Check.arg(maxPosition > 0, "maxPosition", "is %d, must be positive", maxPosition);
        Check.arg(invFreq != null && invFreq.length > 0, "invFreq", "needs at least one frequency");
        int half = invFreq.length;
        int rotaryDim = 2 * half;
        float[] table = new float[Math.multiplyExact(maxPosition, rotaryDim)];
        for (int i = 0; i < half; i++) {
            Check.arg(Double.isFinite(invFreq[i]), "invFreq", "entry %d is %s, must be finite", i, invFreq[i]);
            for (int p = 0; p < maxPosition; p++) {
                double angle = p * invFreq[i];
                table[p * rotaryDim + i] = (float) Math.cos(angle);
                table[p * rotaryDim + half + i] = (float) Math.sin(angle);
            }
        }
        return table;
    }
}
