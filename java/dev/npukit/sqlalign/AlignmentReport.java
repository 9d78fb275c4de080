package dev.npukit.sqlalign;

import dev.npukit.util.Check;
import java.util.ArrayList;
import java.util.List;

/**
 * Compares a training set, a target set and optionally a model's predictions on the target before
 * fine-tuning. Each comparison gives {@code D_KL(from‖to)} and the KL-alignment
 * {@code A_KL = exp(-D_KL / c)} in (0, 1], 1 for identical distributions.
 *
 * <p>The scale c: given, or the largest D_KL among this report's comparisons, so that the lowest score
 * in the report is exactly 1/e (the paper's normalisation). With a computed c the scores only rank
 * the comparisons of one report; to compare scores across reports, fix c.
 *
 * @param comparisons train→target, target→train, and with predictions also predictions→target and
 *     target→predictions
 * @param c the scale used
 * @param cGiven whether c was given (otherwise the largest D_KL of the report)
 * @param alpha the pseudo-count for n-grams missing from the second profile of a comparison (see
 *     {@link KlDivergence})
 * @param topTrainTarget the n-grams contributing most to D_KL(train‖target): structures the training
 *     set has more of than the target
 * @param topTargetTrain the same for D_KL(target‖train): target structures the training set lacks
 * @param topPredictionsTarget the same for D_KL(predictions‖target), empty without predictions
 */
public record AlignmentReport(
        List<Comparison> comparisons,
        double c,
        boolean cGiven,
        double alpha,
        List<KlDivergence.Contribution> topTrainTarget,
        List<KlDivergence.Contribution> topTargetTrain,
        List<KlDivergence.Contribution> topPredictionsTarget) {

    /**
     * One directed comparison.
     *
     * @param from the name of the profile P in D_KL(P‖Q)
     * @param to the name of the profile Q
     * @param kl D_KL(from‖to) in nats, &gt;= 0
     * @param alignment A_KL = exp(-kl / c), in (0, 1]
     */
    public record Comparison(String from, String to, double kl, double alignment) {
    }

    /**
     * The settings of a report.
     *
     * @param c the scale of A_KL, finite and &gt; 0; null to use the largest D_KL of the report
     * @param alpha the smoothing pseudo-count, finite and &gt; 0 ({@link KlDivergence#DEFAULT_ALPHA})
     * @param topK how many top-contributing n-grams to list per divergence, &gt;= 0
     */
    public record Options(Double c, double alpha, int topK) {
        /** The number of top-contributing n-grams listed per divergence by default. */
        public static final int DEFAULT_TOP_K = 10;

        /**
         * The defaults: c from the report, α = {@value KlDivergence#DEFAULT_ALPHA}, the top
         * {@value #DEFAULT_TOP_K} n-grams.
         *
         * @return the default options
         */
        public static Options defaults() {
            return new Options(null, KlDivergence.DEFAULT_ALPHA, DEFAULT_TOP_K);
        }

        /**
         * Checks the settings.
         *
         * @param c the scale of A_KL, or null
         * @param alpha the smoothing pseudo-count
         * @param topK the number of n-grams listed per divergence
         * @throws IllegalArgumentException if {@code c} is not null and not a finite value &gt; 0,
         *     {@code alpha} is not a finite value &gt; 0, or {@code topK} is negative
         */
        public Options {
            Check.arg(c == null || (c > 0 && Double.isFinite(c)), "c", "is %s, expected a finite value > 0", c);
            Check.arg(alpha > 0 && Double.isFinite(alpha), "alpha", "is %s, expected a finite value > 0", alpha);
            Check.arg(topK >= 0, "topK", "is %d, expected >= 0", topK);
        }
    }

    /**
     * {@code A_KL = exp(-kl / c)}.
     *
     * @param kl a divergence in nats, &gt;= 0
     * @param c the scale, finite and &gt; 0
     * @return the alignment, in (0, 1]; 1 when {@code kl} is 0
     * @throws IllegalArgumentException if {@code kl} is negative or {@code c} is not a finite value &gt; 0
     */
    public static double alignment(double kl, double c) {
        Check.arg(kl >= 0, "kl", "is %s, expected >= 0", kl);
        Check.arg(c > 0 && Double.isFinite(c), "c", "is %s, expected a finite value > 0", c);
        return Math.exp(-kl / c);
    }

    /**
     * The c that makes the lowest alignment of {@code kls} exactly 1/e: their maximum. If every D_KL is
     * 0 (all sets identical), c = 1 and every score is 1.
     *
     * @param kls the divergences of one report, in nats
     * @return the scale c, &gt; 0
     * @throws IllegalArgumentException if {@code kls} is null or empty
     */
    public static double scaleFor(List<Double> kls) {
        Check.arg(kls != null && !kls.isEmpty(), "kls", "is empty");
        double max = 0;
        for (double kl : kls) {
            max = Math.max(max, kl);
        }
        return max > 0 ? max : 1;
    }

    /**
     * Builds the report. The top n-gram lists use {@code options.topK()}.
     *
     * @param train the training set's profile
     * @param target the target set's profile
     * @param predictions the profile of a model's predictions on the target before fine-tuning, or null
     * @param options the scale, smoothing and list length
     * @return the report with two comparisons, or four with predictions
     * @throws IllegalArgumentException if {@code train}, {@code target} or {@code options} is null, the
     *     profiles come from different {@link ProfileBuilder}s, or a profile has no n-grams
     */
    public static AlignmentReport compare(NgramProfile train, NgramProfile target, NgramProfile predictions,
            Options options) {
        Check.arg(train != null, "train", "is null");
        Check.arg(target != null, "target", "is null");
        Check.arg(options != null, "options", "is null");
        double a = options.alpha();
        List<NgramProfile[]> pairs = new ArrayList<>();
        pairs.add(new NgramProfile[] {train, target});
        pairs.add(new NgramProfile[] {target, train});
        if (predictions != null) {
            pairs.add(new NgramProfile[] {predictions, target});
            pairs.add(new NgramProfile[] {target, predictions});
        }
        List<Double> kls = pairs.stream().map(pq -> KlDivergence.of(pq[0], pq[1], a)).toList();
        double c = options.c() != null ? options.c() : scaleFor(kls);
        List<Comparison> comparisons = new ArrayList<>();
        for (int k = 0; k < pairs.size(); k++) {
            comparisons.add(new Comparison(pairs.get(k)[0].name(), pairs.get(k)[1].name(), kls.get(k),
                    alignment(kls.get(k), c)));
        }
        int top = options.topK();
        return new AlignmentReport(List.copyOf(comparisons), c, options.c() != null, a,
                KlDivergence.top(train, target, a, top),
                KlDivergence.top(target, train, a, top),
                predictions == null ? List.of() : KlDivergence.top(predictions, target, a, top));
    }

    /**
     * The train→target comparison.
     *
     * @return D_KL(train‖target) and its A_KL: how well the training set's structures match the target's
     */
    public Comparison trainTarget() {
        return comparisons.get(0);
    }

    /**
     * The target→train comparison.
     *
     * @return D_KL(target‖train) and its A_KL: how well the training set covers the target's structures
     */
    public Comparison targetTrain() {
        return comparisons.get(1);
    }

    /**
     * Whether the report includes predictions.
     *
     * @return true if it was built with a predictions profile (four comparisons)
     */
    public boolean hasPredictions() {
        return comparisons.size() > 2;
    }

    /**
     * The predictions→target comparison.
     *
     * @return D_KL(predictions‖target) and its A_KL
     * @throws IllegalArgumentException if the report was built without predictions
     */
    public Comparison predictionsTarget() {
        Check.arg(hasPredictions(), "predictions", "this report was built without predictions");
        return comparisons.get(2);
    }

    /**
     * The target→predictions comparison.
     *
     * @return D_KL(target‖predictions) and its A_KL
     * @throws IllegalArgumentException if the report was built without predictions
     */
    public Comparison targetPredictions() {
        Check.arg(hasPredictions(), "predictions", "this report was built without predictions");
        return comparisons.get(3);
    }
}
