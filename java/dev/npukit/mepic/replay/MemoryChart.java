package dev.npukit.mepic.replay;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws blocks in use over simulated time, one line per policy, to a PNG or SVG file. */
public final class MemoryChart {
    private static final int MAX_POINTS = 2000;

    private MemoryChart() {
    }

    public static void write(Path file, String title, int budgetBlocks, List<ReplayResult> results) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".png")) {
            throw new IllegalArgumentException("chart: file must end in .png or .svg, got " + file);
        }
        XYChart chart = new XYChartBuilder().width(1000).height(560).title(title)
                .xAxisTitle("simulated time (s)").yAxisTitle("KV blocks in use (budget " + budgetBlocks + ")").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setYAxisMin(0.0);
        for (ReplayResult r : results) {
            double[][] xy = downsample(r.timesS(), r.blocksInUse());
            XYSeries s = chart.addSeries(r.policy().name() + " (peak " + r.peakBlocks() + ")", xy[0], xy[1]);
            s.setMarker(SeriesMarkers.NONE);
        }
        String path = file.toString();
        if (svg) {
            VectorGraphicsEncoder.saveVectorGraphic(chart, path, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        } else {
            BitmapEncoder.saveBitmap(chart, path, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** At most MAX_POINTS points, keeping each bucket's maximum so that peaks stay visible. */
    private static double[][] downsample(double[] t, int[] v) {
        int n = t.length;
        int buckets = Math.min(n, MAX_POINTS);
        double[] x = new double[buckets];
        double[] y = new double[buckets];
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * n / buckets);
            int to = (int) ((long) (b + 1) * n / buckets);
            int max = 0;
            for (int i = from; i < to; i++) {
                max = Math.max(max, v[i]);
            }
            x[b] = t[from];
            y[b] = max;
        }
        return new double[][] {x, y};
    }
}
