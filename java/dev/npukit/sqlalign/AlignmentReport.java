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

    /** One directed comparison. */
    public record Comparison(String from, String to, double kl, double alignment) {
    }

    /** The settings of a report; {@code c} is null to choose it from the report. */
    public record Options(Double c, double alpha, int topK) {
        public static final int DEFAULT_TOP_K = 10;

        public static Options defaults() {
            return new Options(null, KlDivergence.DEFAULT_ALPHA, DEFAULT_TOP_K);
        }

        public Options {
            Check.arg(c == null || (c > 0 && Double.isFinite(c)), "c", "is %s, expected a finite value > 0", c);
            Check.arg(alpha > 0 && Double.isFinite(alpha), "alpha", "is %s, expected a finite value > 0", alpha);
            Check.arg(topK >= 0, "topK", "is %d, expected >= 0", topK);
        }
    }

    /** {@code A_KL = exp(-kl / c)}. */
    public static double alignment(double kl, double c) {
        Check.arg(kl >= 0, "kl", "is %s, expected >= 0", kl);
        Check.arg(c > 0 && Double.isFinite(c), "c", "is %s, expected a finite value > 0", c);
        return Math.exp(-kl / c);
    }

    /**
     * The c that makes the lowest alignment of {@code kls} exactly 1/e: their maximum. If every D_KL is
     * 0 (all sets identical), c = 1 and every score is 1.
     */
    public static double scaleFor(List<Double> kls) {
        Check.arg(kls != null && !kls.isEmpty(), "kls", "is empty");
        double max = 0;
        for (double kl : kls) {
            max = Math.max(max, kl);
        }
        return max > 0 ? max : 1;
    }

    /** Builds the report; {@code predictions} may be null. All profiles must share one space. */
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

    /** D_KL(train‖target). */
    public Comparison trainTarget() {
        return comparisons.get(0);
    }

    /** D_KL(target‖train). */
    public Comparison targetTrain() {
        return comparisons.get(1);
    }

    /** Whether the report includes predictions. */
    public boolean hasPredictions() {
        return comparisons.size() > 2;
    }

    /** D_KL(predictions‖target); throws if the report has no predictions. */
    public Comparison predictionsTarget() {
        Check.arg(hasPredictions(), "predictions", "this report was built without predictions");
        return comparisons.get(2);
    }

    /** D_KL(target‖predictions); throws if the report has no predictions. */
    public Comparison targetPredictions() {
        Check.arg(hasPredictions(), "predictions", "this report was built without predictions");
        return comparisons.get(3);
    }
}
