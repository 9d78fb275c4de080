package dev.npukit.sqlalign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DataSelectorTest {
    private static final int SIZE = 1000;
    private static final int RANDOM_SUBSETS = 5;

    /** Selected subsets beat random subsets of the same size, across domains and within one. */
    @Test
    void selectedSubsetIsBetterAlignedThanRandomSubsets() {
        assertSelectionBeatsRandom("spider_train", "bird_dev");
        assertSelectionBeatsRandom("spider_train", "spider_dev");
    }

    private static void assertSelectionBeatsRandom(String trainName, String targetName) {
        ProfileBuilder b = new ProfileBuilder();
        List<String> train = TestData.sql(trainName);
        NgramProfile target = b.fromQueries(targetName, TestData.sql(targetName));
        DataSelector.Ranking ranking = DataSelector.rank(b, trainName, train, target, KlDivergence.DEFAULT_ALPHA);
        double selected = KlDivergence.of(b.fromQueries("selected", pick(train, DataSelector.top(ranking, SIZE))), target);
        Random random = new Random(42);
        List<Double> kls = new ArrayList<>(List.of(selected));
        for (int k = 0; k < RANDOM_SUBSETS; k++) {
            List<String> shuffled = new ArrayList<>(train);
            java.util.Collections.shuffle(shuffled, random);
            kls.add(KlDivergence.of(b.fromQueries("random", shuffled.subList(0, SIZE)), target));
        }
        double c = AlignmentReport.scaleFor(kls);
        double aSelected = AlignmentReport.alignment(selected, c);
        for (int k = 1; k < kls.size(); k++) {
            double aRandom = AlignmentReport.alignment(kls.get(k), c);
            assertTrue(aSelected > aRandom, trainName + "→" + targetName + ": A_KL selected " + aSelected
                    + " vs random " + aRandom);
        }
    }

    private static List<String> pick(List<String> all, int[] indices) {
        List<String> out = new ArrayList<>();
        for (int k : indices) {
            out.add(all.get(k));
        }
        return out;
    }

    @Test
    void rankingCoversEveryExampleOnceAndEndsAtTheFullDivergence() {
        ProfileBuilder b = new ProfileBuilder();
        List<String> train = TestData.sql("spider_dev");
        NgramProfile target = b.fromQueries("bird_dev", TestData.sql("bird_dev"));
        DataSelector.Ranking r = DataSelector.rank(b, "spider_dev", train, target, KlDivergence.DEFAULT_ALPHA);
        assertEquals(train.size(), r.ranked().size());
        assertTrue(r.unranked().isEmpty());
        HashSet<Integer> seen = new HashSet<>();
        r.ranked().forEach(x -> assertTrue(seen.add(x.index())));
        // The incremental D_KL after the last step is D_KL of the whole training set.
        double last = r.ranked().get(r.ranked().size() - 1).klAfter();
        assertEquals(KlDivergence.of(r.train(), target), last, 1e-9);
    }

    @Test
    void topReturnsSortedIndicesAndFractionsRound() {
        ProfileBuilder b = new ProfileBuilder();
        List<String> train = List.of("SELECT a FROM t", "SELECT a FROM t WHERE b = 1", "SELECT 'broken FROM t",
                "SELECT count(*) FROM t GROUP BY a");
        NgramProfile target = b.fromQueries("target", List.of("SELECT a FROM t WHERE b = 2", "SELECT c FROM u WHERE d > 1"));
        DataSelector.Ranking r = DataSelector.rank(b, "train", train, target, KlDivergence.DEFAULT_ALPHA);
        assertEquals(List.of(2), r.unranked());
        assertEquals(1, r.ranked().get(0).index(), "the WHERE query matches the target best");
        int[] two = DataSelector.top(r, 2);
        assertEquals(2, two.length);
        assertTrue(two[0] < two[1]);
        assertArrayEquals(new int[] {0, 1, 3}, DataSelector.top(r, 10), "never the query without a template");
        assertEquals(943, DataSelector.countForFraction(9428, 0.1));
        assertEquals(1, DataSelector.countForFraction(3, 0.01));
    }
}
