package dev.npukit.sqlalign;

import dev.npukit.util.Check;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Ranks training examples by how much they raise alignment with a target, and picks the top ones.
 *
 * <p>The ranking is greedy: starting from an empty subset S, it repeatedly adds the example whose
 * addition gives the smallest D_KL(S‖target) (the divergence the report calls train→target, so the
 * subset's A_KL to the target rises). Each example's rank is the step at which it was added, and
 * {@link Ranked#klAfter()} is D_KL(S‖target) just after adding it, so the curve shows which subset
 * size aligns best. Adding an example whose structures S already has more of than the target raises
 * the divergence, so the greedy order spreads over templates in the target's proportions instead of
 * repeating the single best one (a fixed per-example score does that, and loses to a random subset
 * when train and target are already alike).
 *
 * <p>The target is smoothed as in {@link KlDivergence}, with the missing n-grams counted against the
 * whole training set, so every step uses the same fixed target distribution. Examples with the same
 * template are interchangeable and are taken in input order. Lazy evaluation keeps it fast: a
 * candidate's gain is recomputed only when it reaches the top of the queue; this is exact for the
 * chosen example and a heuristic for the order of the rest; all keys are refreshed each time the
 * subset grows by 5 %.
 */
public final class DataSelector {
    private DataSelector() {
    }

    /**
     * An example's position in the input list, and D_KL(S‖target) once it was added to S. The target's
     * smoothing counts the n-grams missing against the whole training set, so for a prefix this can be
     * slightly above {@code KlDivergence.of(prefix, target)}; for the full set the two agree.
     *
     * @param index the example's 0-based position in the training list given to {@link DataSelector#rank}
     * @param klAfter D_KL(S‖target) in nats just after the example joined S
     */
    public record Ranked(int index, double klAfter) {
    }

    /**
     * @param ranked the examples with a template and n-grams, best first
     * @param unranked input positions of examples without a template or n-grams (never selected)
     * @param train the profile of the whole training list
     */
    public record Ranking(List<Ranked> ranked, List<Integer> unranked, NgramProfile train) {
    }

    /**
     * Ranks {@code train} queries against {@code target} greedily (see the class comment).
     *
     * @param builder the builder {@code target} was built with; it also profiles {@code train}
     * @param trainName the name of the training profile in {@link Ranking#train()}
     * @param train the training queries (SQL text), in input order
     * @param target the target profile
     * @param alpha the pseudo-count for n-grams the target lacks, finite and &gt; 0
     *     ({@link KlDivergence#DEFAULT_ALPHA})
     * @return every example with n-grams ranked best first, and the positions of those without
     * @throws IllegalArgumentException if an argument is null, {@code train} is empty or none of its queries has
     *     n-grams, {@code target} was built by another builder or has no n-grams, or {@code alpha} is not a finite
     *     value &gt; 0
     */
    public static Ranking rank(ProfileBuilder builder, String trainName, List<String> train, NgramProfile target,
            double alpha) {
        Check.arg(builder != null, "builder", "is null");
        Check.arg(train != null && !train.isEmpty(), "train", "is empty");
        Check.arg(target != null, "target", "is null");
        Check.arg(target.space() == builder.space(), "target", "profile '%s' was built by another ProfileBuilder",
                target.name());
        Check.arg(target.total() > 0, "target", "profile '%s' has no n-grams", target.name());
        TemplateSet templates = TemplateSet.of(train);
        NgramProfile trainProfile = builder.fromTemplates(trainName, templates);
        double[] logTarget = logSmoothedTarget(trainProfile, target, alpha);

        int distinct = templates.distinct().size();
        Bag[] bags = new Bag[distinct];
        List<Deque<Integer>> members = new ArrayList<>(distinct);
        for (int t = 0; t < distinct; t++) {
            bags[t] = Bag.of(builder, templates.distinct().get(t));
            members.add(new ArrayDeque<>());
        }
        List<Integer> unranked = new ArrayList<>();
        for (int k = 0; k < train.size(); k++) {
            int t = templates.templateOf(k);
            if (t < 0 || bags[t].total == 0) {
                unranked.add(k);
            } else {
                members.get(t).add(k);
            }
        }

        Subset s = new Subset(trainProfile.idLimit(), logTarget);
        PriorityQueue<double[]> queue = new PriorityQueue<>((a, b) -> a[0] != b[0]
                ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        for (int t = 0; t < distinct; t++) {
            if (!members.get(t).isEmpty()) {
                queue.add(new double[] {s.gain(bags[t]), t, 0});
            }
        }
        List<Ranked> ranked = new ArrayList<>(train.size());
        int nextRefresh = 1;
        while (!queue.isEmpty()) {
            if (ranked.size() == nextRefresh) {
                refresh(queue, s, bags, ranked.size());
                nextRefresh = Math.max(nextRefresh + 1, (int) (nextRefresh * REFRESH_GROWTH));
            }
            double[] top = queue.poll();
            int t = (int) top[1];
            if (top[2] != ranked.size()) {
                // Stale: recompute against the current subset and let it compete again.
                queue.add(new double[] {s.gain(bags[t]), t, ranked.size()});
                continue;
            }
            s.add(bags[t]);
            ranked.add(new Ranked(members.get(t).poll(), s.kl()));
            if (!members.get(t).isEmpty()) {
                queue.add(new double[] {s.gain(bags[t]), t, ranked.size()});
            }
        }
        return new Ranking(List.copyOf(ranked), List.copyOf(unranked), trainProfile);
    }

    /**
     * Gains shrink as the subset grows (one example moves a large subset less), so a key computed
     * early is no bound on its gain later; every time the subset grows by this factor all keys are
     * recomputed, which costs O(log size) full passes.
     */
    private static final double REFRESH_GROWTH = 1.05;

    private static void refresh(PriorityQueue<double[]> queue, Subset s, Bag[] bags, int step) {
        List<double[]> entries = new ArrayList<>(queue);
        queue.clear();
        for (double[] e : entries) {
            int t = (int) e[1];
            queue.add(new double[] {s.gain(bags[t]), t, step});
        }
    }

    /** ln T(i) for every n-gram id of the training profile, T smoothed as in {@link KlDivergence}. */
    private static double[] logSmoothedTarget(NgramProfile train, NgramProfile target, double alpha) {
        KlDivergence.Smoothed smoothed = new KlDivergence.Smoothed(train, target, alpha);
        double[] logT = new double[train.idLimit()];
        for (int id = 1; id < logT.length; id++) {
            logT[id] = Math.log(smoothed.q(id));
        }
        return logT;
    }

    /** The distinct n-grams of one template with their counts. */
    private static final class Bag {
        final int[] ids;
        final int[] counts;
        final long total;

        private Bag(int[] ids, int[] counts) {
            this.ids = ids;
            this.counts = counts;
            this.total = Arrays.stream(counts).asLongStream().sum();
        }

        static Bag of(ProfileBuilder builder, String template) {
            NgramSpace space = builder.space();
            Map<Integer, Integer> c = new HashMap<>();
            space.forEachNgram(space.tokenIds(template), builder.maxN(), id -> c.merge(id, 1, Integer::sum));
            int[] ids = c.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            int[] counts = Arrays.stream(ids).map(c::get).toArray();
            return new Bag(ids, counts);
        }
    }

    /**
     * The subset's n-gram counts s_i, kept with A = Σ s_i ln s_i and B = Σ s_i ln T_i so that
     * D_KL(S‖T) = A/N − ln N − B/N costs O(1), and adding a template costs O(its distinct n-grams).
     */
    private static final class Subset {
        final long[] s;
        final double[] logT;
        double a;
        double b;
        long n;

        Subset(int size, double[] logT) {
            this.s = new long[size];
            this.logT = logT;
        }

        double kl() {
            return n == 0 ? 0 : a / n - Math.log(n) - b / n;
        }

        /** D_KL after adding {@code bag}, minus D_KL now. */
        double gain(Bag bag) {
            double a2 = a;
            double b2 = b;
            for (int j = 0; j < bag.ids.length; j++) {
                long before = s[bag.ids[j]];
                a2 += xlnx(before + bag.counts[j]) - xlnx(before);
                b2 += bag.counts[j] * logT[bag.ids[j]];
            }
            long n2 = n + bag.total;
            return (a2 / n2 - Math.log(n2) - b2 / n2) - kl();
        }

        void add(Bag bag) {
            for (int j = 0; j < bag.ids.length; j++) {
                long before = s[bag.ids[j]];
                a += xlnx(before + bag.counts[j]) - xlnx(before);
                b += bag.counts[j] * logT[bag.ids[j]];
                s[bag.ids[j]] = before + bag.counts[j];
            }
            n += bag.total;
        }

        private static double xlnx(long x) {
            return x == 0 ? 0 : x * Math.log(x);
        }
    }

    /**
     * The best {@code n} ranked examples.
     *
     * @param ranking a ranking from {@link #rank}
     * @param n how many to take, &gt;= 1
     * @return their input indices (fewer than {@code n} if fewer are ranked), sorted in input order
     * @throws IllegalArgumentException if {@code ranking} is null or {@code n} &lt; 1
     */
    public static int[] top(Ranking ranking, int n) {
        Check.arg(ranking != null, "ranking", "is null");
        Check.arg(n >= 1, "n", "is %d, expected >= 1", n);
        int[] picked = ranking.ranked().stream().limit(n).mapToInt(Ranked::index).toArray();
        Arrays.sort(picked);
        return picked;
    }

    /**
     * How many of {@code size} examples a fraction selects.
     *
     * @param size the number of examples
     * @param fraction the share to select, in (0, 1]
     * @return {@code size * fraction} rounded to the nearest integer, at least 1
     * @throws IllegalArgumentException if {@code fraction} is outside (0, 1]
     */
    public static int countForFraction(int size, double fraction) {
        Check.arg(fraction > 0 && fraction <= 1, "fraction", "is %s, expected a value in (0, 1]", fraction);
        return Math.max(1, (int) Math.round(size * fraction));
    }
}
