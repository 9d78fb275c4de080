package dev.npukit.cli;

import dev.npukit.serving.ServingEngine;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The demo's chart as PNG bytes: the KV blocks each policy holds during every engine step, against the pool's
 * capacity. Policies often hold the same blocks at every step (PREFIX, EPIC and CACHEBLEND all copy each document
 * into private blocks), so every policy has its own colour, marker and dash, the lines are drawn thinner in
 * policy order so that coinciding ones show as stripes, and a legend entry names the policy a line coincides
 * with. The capacity is far above the use, hence the logarithmic y axis.
 */
final class DemoChart {
    /** Okabe-Ito colours, told apart with the common colour-vision deficiencies; one per policy, in policy order. */
    private static final Color[] COLOURS = {new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73),
        new Color(0xD55E00), new Color(0xCC79A7)};
    private static final Marker[] MARKERS = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND,
        SeriesMarkers.TRIANGLE_UP, SeriesMarkers.CROSS};
    private static final float[][] DASHES = {null, {10f, 5f}, {2f, 4f}, {10f, 4f, 2f, 4f}, {6f, 3f}};
    private static final float[] WIDTHS = {5f, 4f, 3f, 2f, 1.5f};

    private DemoChart() {
    }

    /**
     * The blocks in use during each engine step: {@link ServingEngine.Result#blocksInUse()} holds two samples per
     * step, after the step's admissions and prefill (what its batched decode runs with) and after its decode and
     * the release of the requests that finished; this is the first of each pair.
     */
    static int[] duringSteps(ServingEngine.Result r) {
        int[] b = r.blocksInUse();
        int[] out = new int[(b.length + 1) / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = b[2 * i];
        }
        return out;
    }

    /**
     * How often the pool was empty between two steps (every running request finished in the first and the second
     * admitted new ones): the second sample of a step, not counting the last step.
     */
    static int emptyBetweenSteps(ServingEngine.Result r) {
        int[] b = r.blocksInUse();
        int n = 0;
        for (int i = 1; i < b.length - 1; i += 2) {
            n += b[i] == 0 ? 1 : 0;
        }
        return n;
    }

    /** The earliest policy in {@code results} before index {@code i} that holds the same blocks at every step, or null. */
    static ServingEngine.Result sameAs(List<ServingEngine.Result> results, int i) {
        int[] mine = duringSteps(results.get(i));
        for (int j = 0; j < i; j++) {
            if (Arrays.equals(mine, duringSteps(results.get(j)))) {
                return results.get(j);
            }
        }
        return null;
    }

    /** The label of the capacity line, as on the chart. */
    static String capacityLabel(int poolBlocks) {
        return "pool capacity: " + poolBlocks + " blocks";
    }

    static byte[] png(List<ServingEngine.Result> results, int poolBlocks) throws IOException {
        XYChart chart = new XYChartBuilder().width(1000).height(520)
                .title("KV blocks in use during each engine step of the RAG workload")
                .xAxisTitle("engine step (admissions and prefill, then one batched decode)")
                .yAxisTitle("blocks in use (log scale)").build();
        XYStyler style = chart.getStyler();
        style.setLegendPosition(Styler.LegendPosition.OutsideE); // beside the plot, never over a line
        style.setLegendBorderColor(Color.WHITE);
        style.setChartBackgroundColor(Color.WHITE);
        style.setPlotBackgroundColor(Color.WHITE);
        style.setPlotGridLinesColor(new Color(0xDDDDDD));
        style.setMarkerSize(9);
        style.setYAxisLogarithmic(true);
        style.setAnnotationTextFontColor(Color.DARK_GRAY);
        style.setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        int steps = 1;
        int least = poolBlocks;
        for (int p = 0; p < results.size(); p++) {
            ServingEngine.Result r = results.get(p);
            int[] during = duringSteps(r);
            steps = Math.max(steps, during.length);
            // A step with an empty pool (every request it found was rejected) has no place on a log axis.
            double[] x = new double[(int) Arrays.stream(during).filter(b -> b > 0).count()];
            double[] y = new double[x.length];
            for (int i = 0, k = 0; i < during.length; i++) {
                if (during[i] > 0) {
                    x[k] = i + 1;
                    y[k++] = during[i];
                    least = Math.min(least, during[i]);
                }
            }
            ServingEngine.Result same = sameAs(results, p);
            String label = r.policy().name() + (same == null ? ", peak " + r.peakBlocks()
                    : ": same as " + same.policy().name() + " at every step");
            XYSeries s = chart.addSeries(label, x, y);
            int k = p % COLOURS.length;
            s.setLineColor(COLOURS[k]);
            s.setMarkerColor(COLOURS[k]);
            s.setMarker(MARKERS[k]);
            s.setLineStyle(new BasicStroke(WIDTHS[k], BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, DASHES[k], 0f));
        }
        XYSeries capacity = chart.addSeries(capacityLabel(poolBlocks), new double[] {1, steps},
                new double[] {poolBlocks, poolBlocks});
        capacity.setLineColor(Color.DARK_GRAY);
        capacity.setMarker(SeriesMarkers.NONE);
        capacity.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {8f, 4f}, 0f));
        // The label on the line itself too, where the eye goes; below it, inside the plot.
        chart.addAnnotation(new AnnotationText(capacityLabel(poolBlocks), (1 + steps) / 2.0, poolBlocks / 1.35, false));
        // From the decade below the least use to just above the capacity, with ticks between decades.
        style.setYAxisMin(Math.pow(10, Math.floor(Math.log10(least))));
        style.setYAxisMax(poolBlocks * 1.3);
        style.setYAxisLogarithmicDecadeOnly(false);
        style.setYAxisDecimalPattern("#,##0");
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
