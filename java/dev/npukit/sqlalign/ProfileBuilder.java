package dev.npukit.sqlalign;

import dev.npukit.util.Check;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Builds {@link NgramProfile}s from queries (a Java collection, a JSON Lines file, or a {@code .sql}
 * file with one query per line). All profiles of one builder share its {@link NgramSpace}, so they can
 * be compared with each other. Not thread-safe.
 */
public final class ProfileBuilder {
    /** The longest n-gram, as in the paper (docs/sqlalign.md). */
    public static final int DEFAULT_MAX_N = 15;
    /** A bound well above any useful n; longer n-grams are nearly always unique to one query. */
    public static final int LIMIT_MAX_N = 64;

    private final int maxN;
    private final NgramSpace space = new NgramSpace();

    /** A builder counting n-grams with n = 1..{@value #DEFAULT_MAX_N}. */
    public ProfileBuilder() {
        this(DEFAULT_MAX_N);
    }

    /**
     * A builder counting n-grams with n = 1..maxN.
     *
     * @param maxN the longest n-gram in tokens, 1..{@value #LIMIT_MAX_N}
     * @throws IllegalArgumentException if {@code maxN} is outside 1..{@value #LIMIT_MAX_N}
     */
    public ProfileBuilder(int maxN) {
        Check.arg(maxN >= 1 && maxN <= LIMIT_MAX_N, "maxN", "is %d, expected 1..%d", maxN, LIMIT_MAX_N);
        this.maxN = maxN;
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
     * The space shared by all profiles of this builder.
     *
     * @return the space that numbers tokens and n-grams
     */
    public NgramSpace space() {
        return space;
    }

    /**
     * The profile of a collection of queries. Queries that cannot be lexed are recorded in
     * {@link NgramProfile#failures()}, not thrown.
     *
     * @param name the profile's label for reports
     * @param queries the SQL text of each query
     * @return the profile
     * @throws IllegalArgumentException if {@code name} or {@code queries} is null
     */
    public NgramProfile fromQueries(String name, Collection<String> queries) {
        return fromTemplates(name, TemplateSet.of(queries));
    }

    /**
     * The profile of the queries in a file (see {@link QueryFile} for the formats), named by the file name.
     *
     * @param path a {@code .jsonl}, {@code .json}, {@code .sql} or {@code .txt} file
     * @return the profile
     * @throws IllegalArgumentException if the file is missing, of an unknown type, or has a bad line
     * @throws java.io.UncheckedIOException if it cannot be read
     */
    public NgramProfile fromFile(Path path) {
        List<SqlExample> examples = QueryFile.read(path);
        return fromQueries(path.getFileName().toString(), examples.stream().map(SqlExample::sql).toList());
    }

    /**
     * The profile of already computed templates: each distinct template is walked once, weighted.
     *
     * @param name the profile's label for reports
     * @param templates the templates of the queries
     * @return the profile
     * @throws IllegalArgumentException if {@code name} or {@code templates} is null
     */
    public NgramProfile fromTemplates(String name, TemplateSet templates) {
        Check.arg(name != null, "name", "is null");
        Check.arg(templates != null, "templates", "is null");
        Counts counts = new Counts(space.size());
        for (int t = 0; t < templates.distinct().size(); t++) {
            counts.weight = templates.multiplicity(t);
            space.forEachNgram(space.tokenIds(templates.distinct().get(t)), maxN, counts::add);
        }
        return new NgramProfile(name, space, maxN, Arrays.copyOf(counts.values, space.size()), templates.queries(),
                templates.failures());
    }

    /** A growable count array; the space hands out new ids while a profile is being counted. */
    private static final class Counts {
        int[] values;
        int weight;

        Counts(int initial) {
            values = new int[Math.max(1024, initial)];
        }

        void add(int id) {
            if (id >= values.length) {
                values = Arrays.copyOf(values, Math.max(id + 1, values.length * 2));
            }
            values[id] += weight;
        }
    }
}
