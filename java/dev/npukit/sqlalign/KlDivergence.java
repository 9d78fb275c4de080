package dev.npukit.sqlalign;

import dev.npukit.util.Check;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * {@code D_KL(P‖Q) = Σ_i P(i) ln(P(i) / Q(i))} in nats, summed over the n-grams i that P has.
 *
 * <p>Smoothing for Q(i) = 0: each n-gram that P has and Q lacks gets a pseudo-count α in Q (default
 * {@value #DEFAULT_ALPHA}, "seen half a time"), and Q is renormalised over its own total plus those
 * pseudo-counts: {@code Q(i) = (c_Q(i) or α) / (N_Q + α·k)}, k the number of n-grams of P missing
 * from Q. So D is always finite; it is exactly 0 when both profiles have the same n-gram distribution
 * (k = 0 and Q = P); and the penalty for a missing n-gram grows with the size of Q, since a large Q
 * that never shows a structure is stronger evidence than a small one.
 */
public final class KlDivergence {
    /** The pseudo-count of an n-gram missing from Q. */
    public static final double DEFAULT_ALPHA = 0.5;

    private KlDivergence() {
    }

    /**
     * One n-gram's share of D_KL(P‖Q): {@code P(i) ln(P(i)/Q(i))}, with Q(i) smoothed.
     *
     * @param ngram the n-gram's template tokens joined by single spaces, e.g. {@code INNER JOIN}
     * @param p P(i), its probability in P
     * @param q Q(i), its smoothed probability in Q
     * @param missingFromQ whether Q never has it (Q(i) comes from the pseudo-count α)
     * @param contribution {@code P(i) ln(P(i)/Q(i))} in nats; negative where Q has more of it than P
     */
    public record Contribution(String ngram, double p, double q, boolean missingFromQ, double contribution) {
    }

    /**
     * D_KL(P‖Q) with α = {@value #DEFAULT_ALPHA}.
     *
     * @param p the profile P
     * @param q the profile Q, from the same {@link ProfileBuilder} as P
     * @return the divergence in nats, finite and &gt;= 0
     * @throws IllegalArgumentException if either is null or has no n-grams, or they come from different
     *     builders
     */
    public static double of(NgramProfile p, NgramProfile q) {
        return of(p, q, DEFAULT_ALPHA);
    }

    /**
     * D_KL(P‖Q) with pseudo-count {@code alpha} for n-grams Q lacks.
     *
     * @param p the profile P
     * @param q the profile Q, from the same {@link ProfileBuilder} as P
     * @param alpha the pseudo-count, finite and &gt; 0
     * @return the divergence in nats, finite and &gt;= 0
     * @throws IllegalArgumentException if {@code p} or {@code q} is null or has no n-grams, they come
     *     from different builders, or {@code alpha} is not a finite value &gt; 0
     */
    public static double of(NgramProfile p, NgramProfile q, double alpha) {
        Smoothed s = new Smoothed(p, q, alpha);
        double d = 0;
        for (int id = 1; id < p.idLimit(); id++) {
            if (p.count(id) > 0) {
                d += s.term(id);
            }
        }
        // Rounding can leave a tiny negative sum for near-identical profiles; D_KL is never negative.
        return Math.max(0, d);
    }

    /**
     * The {@code k} n-grams with the largest contributions to D_KL(P‖Q): where P has more than Q.
     *
     * @param p the profile P
     * @param q the profile Q, from the same {@link ProfileBuilder} as P
     * @param alpha the pseudo-count, finite and &gt; 0
     * @param k how many to list, &gt;= 0
     * @return at most {@code k} contributions, largest first (ties by n-gram text)
     * @throws IllegalArgumentException if {@code k} is negative, or on the conditions of
     *     {@link #of(NgramProfile, NgramProfile, double)}
     */
    public static List<Contribution> top(NgramProfile p, NgramProfile q, double alpha, int k) {
        Check.arg(k >= 0, "k", "is %d, expected >= 0", k);
        Smoothed s = new Smoothed(p, q, alpha);
        PriorityQueue<int[]> best = new PriorityQueue<>(Comparator.comparingDouble(a -> s.term(a[0])));
        for (int id = 1; id < p.idLimit() && k > 0; id++) {
            if (p.count(id) > 0) {
                best.add(new int[] {id});
                if (best.size() > k) {
                    best.poll();
                }
            }
        }
        List<Contribution> out = new ArrayList<>();
        for (int[] e : best) {
            int id = e[0];
            out.add(new Contribution(p.space().text(id), p.probability(id), s.q(id), q.count(id) == 0, s.term(id)));
        }
        out.sort(Comparator.comparingDouble(Contribution::contribution).reversed()
                .thenComparing(Contribution::ngram));
        return out;
    }

    /** P and the smoothed Q, with the checks every user of the smoothing needs (also {@link DataSelector}). */
    static final class Smoothed {
        private final NgramProfile p;
        private final NgramProfile q;
        private final double alpha;
        private final double qTotal;

        Smoothed(NgramProfile p, NgramProfile q, double alpha) {
            Check.arg(p != null, "p", "is null");
            Check.arg(q != null, "q", "is null");
            Check.arg(p.space() == q.space(), "q", "profile '%s' was built in another NgramSpace than '%s';"
                    + " build both with the same ProfileBuilder", q.name(), p.name());
            Check.arg(p.total() > 0, "p", "profile '%s' has no n-grams", p.name());
            Check.arg(q.total() > 0, "q", "profile '%s' has no n-grams", q.name());
            Check.arg(alpha > 0 && Double.isFinite(alpha), "alpha", "is %s, expected a finite value > 0", alpha);
            this.p = p;
            this.q = q;
            this.alpha = alpha;
            int missing = 0;
            for (int id = 1; id < p.idLimit(); id++) {
                if (p.count(id) > 0 && q.count(id) == 0) {
                    missing++;
                }
            }
            this.qTotal = q.total() + alpha * missing;
        }

        double q(int id) {
            int c = q.count(id);
            return (c > 0 ? c : alpha) / qTotal;
        }

        double term(int id) {
            double pi = p.probability(id);
            return pi * Math.log(pi / q(id));
        }
    }
}
