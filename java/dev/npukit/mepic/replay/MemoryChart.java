package dev.npukit.mepic.replay;

import dev.npukit.util.AtomicFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
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

    /**
     * Writes the chart through a temporary file, so {@code file} is replaced only by a complete image. Long series
     * are reduced to at most 2000 points per policy, keeping each stretch's maximum so peaks show.
     *
     * @param file the image to write; its name ends in {@code .png} or {@code .svg} (any case), which picks the
     *     format
     * @param title the chart's title
     * @param budgetBlocks the pool's capacity in blocks, shown in the y axis title
     * @param results one line per result, labelled with its policy and peak
     * @throws IllegalArgumentException if {@code file} ends in neither {@code .png} nor {@code .svg}
     * @throws IOException if the image cannot be written (the message says why, e.g. a full disk)
     */
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
        // Encoded into a temporary file that replaces FILE only when complete: an encoder that fails half-way
        // (a full disk, a file-size limit) leaves no truncated chart.
        try {
            AtomicFiles.write(file, tmp -> {
                try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp))) {
                    if (svg) {
                        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
                    } else {
                        BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
                    }
                }
            });
        } catch (IOException e) {
            // The image encoders say only "I/O error writing PNG file!"; the cause says why (a full disk...).
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            String why = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
            throw new IOException("chart: " + file + ": cannot write (" + why + ")", e);
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
