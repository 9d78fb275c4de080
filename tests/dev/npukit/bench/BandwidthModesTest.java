package dev.npukit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Read-bandwidth samples split into the memory's modes at their widest gap of 1.25x or more. */
class BandwidthModesTest {

    @Test
    void readsWithinOneModeStayOneMode() {
        // The slow mode of the VMs measured: 31-36 GB/s, a spread of 1.16x.
        double[] reads = {33.1, 35.6, 31.0, 34.2, 36.0, 32.5};
        List<BandwidthModes.Mode> modes = BandwidthModes.of(reads, 2);
        assertEquals(1, modes.size());
        BandwidthModes.Mode m = modes.get(0);
        assertEquals("single", m.name());
        assertEquals(6, m.count());
        assertEquals(31.0, m.minGbPerS());
        assertEquals(36.0, m.maxGbPerS());
        assertEquals((33.1 + 34.2) / 2, m.medianGbPerS(), 1e-12, "median of an even count");
    }

    @Test
    void twoModesSplitAtTheWidestGap() {
        double[] reads = {58.1, 33.0, 57.4, 34.1, 60.2, 32.8, 35.0};
        List<BandwidthModes.Mode> modes = BandwidthModes.of(reads, 2);
        assertEquals(2, modes.size());
        assertEquals("slow", modes.get(0).name());
        assertEquals(4, modes.get(0).count());
        assertEquals(32.8, modes.get(0).minGbPerS());
        assertEquals(35.0, modes.get(0).maxGbPerS());
        assertEquals("fast", modes.get(1).name());
        assertEquals(3, modes.get(1).count());
        assertEquals(58.1, modes.get(1).medianGbPerS());
        for (double r : reads) {
            assertTrue(modes.get(0).contains(r) != modes.get(1).contains(r), r + " is in exactly one mode");
        }
    }

    @Test
    void aGapJustBelowTheThresholdIsOneModeAndJustAboveItTwo() {
        assertEquals(1, BandwidthModes.of(new double[] {40, 40, 49.9, 49.9}, 1).size());
        assertEquals(2, BandwidthModes.of(new double[] {40, 40, 50.1, 50.1}, 1).size());
        // Of two gaps above the threshold, the wider one splits.
        List<BandwidthModes.Mode> modes = BandwidthModes.of(new double[] {10, 13, 30}, 1);
        assertEquals(2, modes.get(0).count(), "30 / 13 is wider than 13 / 10");
    }

    @Test
    void minCountKeepsOneDisturbedReadFromBeingAMode() {
        double[] reads = {12.0, 33.0, 34.0, 33.5, 34.5};
        assertEquals(2, BandwidthModes.of(reads, 1).size(), "one low read is a mode of its own at minCount 1");
        List<BandwidthModes.Mode> modes = BandwidthModes.of(reads, 2);
        assertEquals(1, modes.size());
        assertEquals(5, modes.get(0).count());
    }

    @Test
    void randomSamplesOfTwoSeparatedModesAreRecovered() {
        Random r = new Random(19);
        for (int trial = 0; trial < 200; trial++) {
            int slow = 1 + r.nextInt(10);
            int fast = 1 + r.nextInt(10);
            double[] reads = new double[slow + fast];
            for (int i = 0; i < slow; i++) {
                reads[i] = 30 + 5 * r.nextDouble();  // 30-35: spread under 1.17x
            }
            for (int i = 0; i < fast; i++) {
                reads[slow + i] = 45 + 10 * r.nextDouble();  // 45-55: spread under 1.23x, 1.28x or more above 35
            }
            List<BandwidthModes.Mode> modes = BandwidthModes.of(reads, 1);
            assertEquals(2, modes.size(), "trial " + trial);
            assertEquals(slow, modes.get(0).count(), "trial " + trial);
            assertEquals(fast, modes.get(1).count(), "trial " + trial);
        }
    }

    @Test
    void badSamplesAreRefusedNamingTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BandwidthModes.of(new double[0], 1));
        assertTrue(e.getMessage().contains("gbPerS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BandwidthModes.of(new double[] {30, 0}, 1));
        assertTrue(e.getMessage().contains("gbPerS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BandwidthModes.of(new double[] {30, Double.NaN}, 1));
        assertTrue(e.getMessage().contains("gbPerS"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BandwidthModes.of(new double[] {30}, 0));
        assertTrue(e.getMessage().contains("minCount"), e.getMessage());
        assertFalse(BandwidthModes.of(new double[] {30}, 1).get(0).contains(31));
    }
}
