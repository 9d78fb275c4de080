package dev.npukit.cli;

import dev.npukit.serving.ServingEngine;
import java.io.IOException;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The demo's chart: KV blocks in use after each engine step, one line per policy, as PNG bytes. */
final class DemoChart {
    private DemoChart() {
    }

    static byte[] png(List<ServingEngine.Result> results) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(480).title("KV blocks in use while serving the RAG workload")
                .xAxisTitle("engine step (admit + prefill, then one batched decode step)").yAxisTitle("blocks in use").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setYAxisMin(0.0);
        for (ServingEngine.Result r : results) {
            int[] b = r.blocksInUse();
            double[] x = new double[b.length];
            double[] y = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                x[i] = i / 2.0;
                y[i] = b[i];
            }
            XYSeries s = chart.addSeries(r.policy().name() + " (peak " + r.peakBlocks() + ")", x, y);
            s.setMarker(SeriesMarkers.NONE);
        }
        return BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
    }
}
