package dev.npukit.sqlalign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KlDivergenceTest {
    @Test
    void identicalProfilesGiveZero() {
        ProfileBuilder b = new ProfileBuilder();
        NgramProfile p = b.fromQueries("p", TestData.sql("spider_dev"));
        NgramProfile again = b.fromQueries("again", TestData.sql("spider_dev"));
        assertEquals(0.0, KlDivergence.of(p, p));
        assertEquals(0.0, KlDivergence.of(p, again));
    }

    @Test
    void matchesAHandComputedValueInBothDirections() {
        ProfileBuilder b = new ProfileBuilder();
        // P: SELECT, SELECT FROM, FROM, each 1/3. Q adds "SELECT FROM WHERE =": those three count 2 of 12.
        NgramProfile p = b.fromQueries("p", List.of("SELECT a FROM t"));
        NgramProfile q = b.fromQueries("q", List.of("SELECT a FROM t", "SELECT a FROM t WHERE b = 1"));
        assertEquals(12, q.total());
        assertEquals(Math.log(2), KlDivergence.of(p, q), 1e-12);
        // Q→P: P lacks 6 of Q's n-grams; with alpha = 0.25 P becomes 1/4.5 (seen) and 0.25/4.5 (missing),
        // so D = 3 * (2/12) ln((2/12)/(1/4.5)) + 6 * (1/12) ln((1/12)/(0.25/4.5)) = 0.5 ln(9/8).
        assertEquals(0.5 * Math.log(9.0 / 8.0), KlDivergence.of(q, p, 0.25), 1e-12);
    }

    @Test
    void isFiniteAndPositiveWhenQLacksNgrams() {
        ProfileBuilder b = new ProfileBuilder();
        NgramProfile bird = b.fromQueries("bird_dev", TestData.sql("bird_dev"));
        NgramProfile spider = b.fromQueries("spider_dev", TestData.sql("spider_dev"));
        assertTrue(bird.asMap().keySet().stream().anyMatch(g -> spider.count(g) == 0), "test needs missing n-grams");
        double d = KlDivergence.of(bird, spider);
        assertTrue(Double.isFinite(d) && d > 0, "D = " + d);
        // A larger pseudo-count makes missing n-grams less surprising.
        assertTrue(KlDivergence.of(bird, spider, 2.0) < d);
    }

    @Test
    void topContributorsExplainTheDivergence() {
        ProfileBuilder b = new ProfileBuilder();
        NgramProfile spider = b.fromQueries("spider_train", TestData.sql("spider_train"));
        NgramProfile bird = b.fromQueries("bird_dev", TestData.sql("bird_dev"));
        List<KlDivergence.Contribution> top = KlDivergence.top(bird, spider, KlDivergence.DEFAULT_ALPHA, 5);
        assertEquals(5, top.size());
        // BIRD writes INNER JOIN, Spider plain JOIN: the top reason BIRD differs is INNER, absent in Spider.
        assertTrue(top.get(0).ngram().contains("INNER") && top.get(0).missingFromQ(), top.toString());
        for (int k = 1; k < top.size(); k++) {
            assertTrue(top.get(k - 1).contribution() >= top.get(k).contribution());
        }
        assertEquals(top.get(0).p() * Math.log(top.get(0).p() / top.get(0).q()), top.get(0).contribution(), 1e-15);
    }

    @Test
    void rejectsProfilesFromDifferentSpacesAndBadAlpha() {
        NgramProfile p = new ProfileBuilder().fromQueries("p", List.of("SELECT a FROM t"));
        NgramProfile q = new ProfileBuilder().fromQueries("q", List.of("SELECT a FROM t"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KlDivergence.of(p, q));
        assertTrue(e.getMessage().startsWith("q:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KlDivergence.of(p, p, 0));
        assertTrue(e.getMessage().startsWith("alpha:"), e.getMessage());
        ProfileBuilder b = new ProfileBuilder();
        NgramProfile empty = b.fromQueries("empty", List.of());
        NgramProfile one = b.fromQueries("one", List.of("SELECT a FROM t"));
        e = assertThrows(IllegalArgumentException.class, () -> KlDivergence.of(empty, one));
        assertTrue(e.getMessage().startsWith("p:") && e.getMessage().contains("no n-grams"), e.getMessage());
    }
}
