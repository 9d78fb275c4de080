package dev.npukit.sqlalign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class AlignmentReportTest {
    @Test
    void computedScaleMakesTheLowestScoreOneOverE() {
        ProfileBuilder b = new ProfileBuilder();
        NgramProfile train = b.fromQueries("spider_train", TestData.sql("spider_train"));
        NgramProfile target = b.fromQueries("spider_dev", TestData.sql("spider_dev"));
        NgramProfile predictions = b.fromQueries("bird_dev", TestData.sql("bird_dev"));
        AlignmentReport r = AlignmentReport.compare(train, target, predictions, AlignmentReport.Options.defaults());
        assertEquals(4, r.comparisons().size());
        assertTrue(!r.cGiven());
        double lowest = r.comparisons().stream().mapToDouble(AlignmentReport.Comparison::alignment).min().orElseThrow();
        double largestKl = r.comparisons().stream().mapToDouble(AlignmentReport.Comparison::kl).max().orElseThrow();
        assertEquals(Math.exp(-1), lowest, 1e-12);
        assertEquals(largestKl, r.c());
        assertEquals(KlDivergence.of(train, target), r.trainTarget().kl());
        assertEquals(KlDivergence.of(predictions, target), r.predictionsTarget().kl());
        // Spider train is far closer to Spider dev than BIRD dev is.
        assertTrue(r.trainTarget().alignment() > r.predictionsTarget().alignment());
        assertEquals("spider_train", r.trainTarget().from());
        assertEquals("spider_dev", r.trainTarget().to());
    }

    @Test
    void givenScaleIsUsedAsIs() {
        ProfileBuilder b = new ProfileBuilder();
        NgramProfile train = b.fromQueries("t", List.of("SELECT a FROM t"));
        NgramProfile target = b.fromQueries("q", List.of("SELECT a FROM t", "SELECT a FROM t WHERE b = 1"));
        AlignmentReport r = AlignmentReport.compare(train, target, null,
                new AlignmentReport.Options(2.0, KlDivergence.DEFAULT_ALPHA, 3));
        assertTrue(r.cGiven() && !r.hasPredictions());
        assertEquals(2, r.comparisons().size());
        assertEquals(Math.exp(-Math.log(2) / 2.0), r.trainTarget().alignment(), 1e-12);
        assertTrue(r.topTrainTarget().size() <= 3 && r.topPredictionsTarget().isEmpty());
        assertThrows(IllegalArgumentException.class, r::predictionsTarget);
    }

    @Test
    void scaleHandlesAllZeroAndRejectsBadInput() {
        assertEquals(1.0, AlignmentReport.scaleFor(List.of(0.0, 0.0)));
        assertEquals(1.0, AlignmentReport.alignment(0, 0.7));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AlignmentReport.Options(-1.0, 0.5, 10));
        assertTrue(e.getMessage().startsWith("c:"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AlignmentReport.alignment(1, 0));
        assertTrue(e.getMessage().startsWith("c:"), e.getMessage());
    }
}
