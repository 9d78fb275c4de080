package dev.npukit.sqlalign;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The n-gram counts of one set of queries (a training set, a target set, a model's predictions), with
 * their probabilities P(i) = count(i) / total. Immutable; ids belong to {@link #space()}.
 */
public final class NgramProfile {
    private final String name;
    private final NgramSpace space;
    private final int maxN;
    private final int[] counts;
    private final long total;
    private final int distinct;
    private final int queries;
    private final List<TemplateFailure> failures;

    NgramProfile(String name, NgramSpace space, int maxN, int[] counts, int queries, List<TemplateFailure> failures) {
        this.name = name;
        this.space = space;
        this.maxN = maxN;
        this.counts = counts;
        long sum = 0;
        int nonZero = 0;
        for (int c : counts) {
            sum += c;
            nonZero += c > 0 ? 1 : 0;
        }
        this.total = sum;
        this.distinct = nonZero;
        this.queries = queries;
        this.failures = failures;
    }

    /**
     * The profile's label.
     *
     * @return a label for reports, e.g. the file name
     */
    public String name() {
        return name;
    }

    /**
     * The space that numbers this profile's n-grams; profiles are comparable only within one space.
     *
     * @return the space of the {@link ProfileBuilder} that built this profile
     */
    public NgramSpace space() {
        return space;
    }

    /**
     * The longest n-gram counted.
     *
     * @return the maximum n, in tokens
     */
    public int maxN() {
        return maxN;
    }

    /**
     * The number of queries read, including those without a template.
     *
     * @return the query count
     */
    public int queries() {
        return queries;
    }

    /**
     * The queries that got no template (they add no n-grams).
     *
     * @return the failures in input order, empty if every query was lexed
     */
    public List<TemplateFailure> failures() {
        return failures;
    }

    /**
     * The number of n-gram occurrences counted: the denominator of every {@link #probability(int)}.
     *
     * @return the sum of all counts
     */
    public long total() {
        return total;
    }

    /**
     * The number of distinct n-grams with a count above zero.
     *
     * @return the distinct n-gram count
     */
    public int distinctNgrams() {
        return distinct;
    }

    /**
     * The count of one n-gram.
     *
     * @param id an n-gram id of {@link #space()}
     * @return its count, 0 if this profile never saw it or {@code id} is not a valid id
     */
    public int count(int id) {
        return id > 0 && id < counts.length ? counts[id] : 0;
    }

    /**
     * The count of an n-gram given as text.
     *
     * @param ngram template tokens joined by single spaces, e.g. {@code "ORDER BY"}
     * @return its count, 0 if never seen
     */
    public int count(String ngram) {
        return count(space.find(ngram));
    }

    /**
     * P(i): the count of {@code id} over {@link #total()}.
     *
     * @param id an n-gram id of {@link #space()}
     * @return the probability in [0, 1]; 0 for an empty profile or an unseen id
     */
    public double probability(int id) {
        return total == 0 ? 0 : count(id) / (double) total;
    }

    /**
     * Every n-gram with a count above zero; for inspection and tests, not hot paths.
     *
     * @return a new map from n-gram text to count, sorted by text
     */
    public SortedMap<String, Integer> asMap() {
        SortedMap<String, Integer> m = new TreeMap<>();
        for (int id = 1; id < counts.length; id++) {
            if (counts[id] > 0) {
                m.put(space.text(id), counts[id]);
            }
        }
        return m;
    }

    /** One past the highest id this profile may count; ids with a count are below it. */
    int idLimit() {
        return counts.length;
    }
}
