package dev.npukit.sqlalign;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The templates of a list of queries, deduplicated: Spider pairs each query with two questions and many
 * queries share a structure, so n-grams are counted once per distinct template and weighted.
 */
public final class TemplateSet {
    private final List<String> distinct;
    private final int[] multiplicity;
    private final int[] templateOf;
    private final List<TemplateFailure> failures;

    private TemplateSet(List<String> distinct, int[] multiplicity, int[] templateOf, List<TemplateFailure> failures) {
        this.distinct = distinct;
        this.multiplicity = multiplicity;
        this.templateOf = templateOf;
        this.failures = failures;
    }

    /**
     * Templates of {@code queries}; lexing runs in parallel, a query that fails is recorded, not fatal.
     *
     * @param queries the SQL text of each query, in input order
     * @return the distinct templates with their multiplicities and the failures
     * @throws IllegalArgumentException if {@code queries} is null
     */
    public static TemplateSet of(Collection<String> queries) {
        if (queries == null) {
            throw new IllegalArgumentException("queries: is null");
        }
        String[] sql = queries.toArray(new String[0]);
        String[] templates = new String[sql.length];
        String[] errors = new String[sql.length];
        IntStream.range(0, sql.length).parallel().forEach(k -> {
            try {
                templates[k] = SqlTemplate.of(sql[k]);
            } catch (SqlSyntaxException | IllegalArgumentException e) {
                errors[k] = e.getMessage();
            }
        });
        Map<String, Integer> index = new HashMap<>();
        List<String> distinct = new ArrayList<>();
        List<TemplateFailure> failures = new ArrayList<>();
        int[] templateOf = new int[sql.length];
        int[] counts = new int[Math.max(16, sql.length)];
        for (int k = 0; k < sql.length; k++) {
            if (templates[k] == null) {
                templateOf[k] = -1;
                failures.add(new TemplateFailure(k, sql[k], errors[k]));
                continue;
            }
            Integer t = index.get(templates[k]);
            if (t == null) {
                t = distinct.size();
                distinct.add(templates[k]);
                index.put(templates[k], t);
            }
            templateOf[k] = t;
            counts[t]++;
        }
        return new TemplateSet(List.copyOf(distinct), Arrays.copyOf(counts, distinct.size()), templateOf,
                List.copyOf(failures));
    }

    /**
     * The number of input queries (with or without a template).
     *
     * @return the query count
     */
    public int queries() {
        return templateOf.length;
    }

    /**
     * The distinct templates, in order of first appearance.
     *
     * @return the templates (tokens joined by single spaces), unmodifiable
     */
    public List<String> distinct() {
        return distinct;
    }

    /**
     * How many queries share one distinct template.
     *
     * @param t an index into {@link #distinct()}
     * @return the number of queries with that template, &gt;= 1
     */
    public int multiplicity(int t) {
        return multiplicity[t];
    }

    /**
     * The template of one query.
     *
     * @param k the query's 0-based index in the input
     * @return the index into {@link #distinct()} of its template, or -1 if it has none
     */
    public int templateOf(int k) {
        return templateOf[k];
    }

    /**
     * The queries that got no template.
     *
     * @return the failures in input order, unmodifiable
     */
    public List<TemplateFailure> failures() {
        return failures;
    }
}
