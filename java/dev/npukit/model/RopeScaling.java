package dev.npukit.model;

import dev.npukit.util.Check;

/**
 * The {@code rope_scaling} of a Hugging Face config: how the rotary inverse frequencies are
 * derived from {@code rope_theta}, as Hugging Face's {@code modeling_rope_utils} computes them.
 * The result is a per-pair inverse frequency, so every supported type is expressed through the
 * cos/sin table ({@link dev.npukit.kernels.RopeTables#cosSin(int, double[])}).
 *
 * <ul>
 * <li>{@link Type#DEFAULT}: {@code inv_freq[i] = theta^(-2i/dim)};
 * <li>{@link Type#LINEAR}: the default divided by {@code factor};
 * <li>{@link Type#DYNAMIC} (dynamic NTK): Hugging Face scales the base by
 *     {@code (factor·L/max - (factor-1))^(dim/(dim-2))} only once the sequence length L exceeds
 *     {@code max_position_embeddings}; positions here never exceed it, so the table is the default
 *     one, exactly as Hugging Face computes it for every sequence that fits;
 * <li>{@link Type#LLAMA3}: Llama 3.1's band-wise scaling: wavelengths above
 *     {@code original_max_position_embeddings / low_freq_factor} are divided by {@code factor},
 *     those below {@code original_max_position_embeddings / high_freq_factor} are kept, the band
 *     between is interpolated.
 * </ul>
 *
 * <p>The constructor refuses a parameter the type uses that is out of range with an
 * {@link IllegalArgumentException} naming it.
 *
 * @param type the scaling rule
 * @param factor the scaling factor (1 for {@link Type#DEFAULT})
 * @param lowFreqFactor Llama 3 {@code low_freq_factor} (unused by the other types)
 * @param highFreqFactor Llama 3 {@code high_freq_factor}, greater than lowFreqFactor (unused by the other types)
 * @param originalMaxPositions Llama 3 {@code original_max_position_embeddings}, the pre-training context
 *     (unused by the other types)
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositions) {

    /** The supported {@code rope_type} values. */
    public enum Type {
        /** Plain RoPE ({@code rope_scaling} absent or {@code rope_type} "default"). */
        DEFAULT,
        /** Position interpolation: every inverse frequency divided by the factor. */
        LINEAR,
        /** Dynamic NTK scaling; the plain table within max_position_embeddings. */
        DYNAMIC,
        /** Llama 3.1's frequency-band scaling. */
        LLAMA3
    }

    /** Plain RoPE. */
    public static final RopeScaling NONE = new RopeScaling(Type.DEFAULT, 1, 0, 0, 0);

    /**
     * Checks the parameters the type uses.
     *
     * @param type the scaling rule, not null
     * @param factor the scaling factor, at least 1
     * @param lowFreqFactor Llama 3 low_freq_factor, positive for {@link Type#LLAMA3}
     * @param highFreqFactor Llama 3 high_freq_factor, above lowFreqFactor for {@link Type#LLAMA3}
     * @param originalMaxPositions Llama 3 original_max_position_embeddings, positive for {@link Type#LLAMA3}
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public RopeScaling {
        Check.arg(type != null, "type", "is null");
        Check.arg(factor >= 1 && Double.isFinite(factor), "factor", "is %s, must be >= 1", factor);
        if (type == Type.LLAMA3) {
            Check.arg(lowFreqFactor > 0 && Double.isFinite(lowFreqFactor), "lowFreqFactor", "is %s, must be positive",
                    lowFreqFactor);
            Check.arg(highFreqFactor > lowFreqFactor && Double.isFinite(highFreqFactor), "highFreqFactor",
                    "is %s, must be greater than lowFreqFactor %s", highFreqFactor, lowFreqFactor);
            Check.arg(originalMaxPositions > 0, "originalMaxPositions", "is %d, must be positive", originalMaxPositions);
        }
    }

    /**
     * Linear scaling (position interpolation).
     *
     * @param factor the divisor of every frequency, at least 1
     * @return the scaling
     * @throws IllegalArgumentException if factor is below 1 or not finite
     */
    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
    }

    /**
     * Dynamic NTK scaling: the plain table within max_position_embeddings.
     *
     * @param factor rope_scaling's factor, at least 1
     * @return the scaling
     * @throws IllegalArgumentException if factor is below 1 or not finite
     */
    public static RopeScaling dynamic(double factor) {
        return new RopeScaling(Type.DYNAMIC, factor, 0, 0, 0);
    }

    /**
     * Llama 3 scaling.
     *
     * @param factor the divisor of the low frequencies, at least 1
     * @param lowFreqFactor low_freq_factor, positive
     * @param highFreqFactor high_freq_factor, greater than lowFreqFactor
     * @param originalMaxPositions original_max_position_embeddings, positive
     * @return the scaling
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor,
            int originalMaxPositions) {
        return new RopeScaling(Type.LLAMA3, factor, lowFreqFactor, highFreqFactor, originalMaxPositions);
    }

    /**
     * The inverse frequencies of the {@code rotaryDim / 2} rotated pairs, in radians per position.
     *
     * @param rotaryDim rotated width, even and positive
     * @param theta the RoPE base ({@code rope_theta}), greater than 1
     * @return inv_freq[i] for pair i (columns i and i + rotaryDim/2 of the table)
     * @throws IllegalArgumentException if rotaryDim or theta is out of range
     */
    public double[] invFreq(int rotaryDim, double theta) {
        Check.arg(rotaryDim > 0 && rotaryDim % 2 == 0, "rotaryDim", "is %d, must be even and positive", rotaryDim);
        Check.arg(theta > 1 && Double.isFinite(theta), "theta", "is %s, must be > 1", theta);
        double[] inv = new double[rotaryDim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = Math.pow(theta, -2.0 * i / rotaryDim);
        }
        switch (type) {
            case DEFAULT, DYNAMIC -> {
            }
            case LINEAR -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= factor;
                }
            }
            case LLAMA3 -> {
                double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
                double highFreqWavelen = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < inv.length; i++) {
                    double wavelen = 2 * Math.PI / inv[i];
                    if (wavelen > lowFreqWavelen) {
                        inv[i] /= factor;
                    } else if (wavelen >= highFreqWavelen) {
                        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                    }
                }
            }
            default -> throw new IllegalStateException("unhandled rope scaling " + type);
        }
        return inv;
    }
}
