package io.detkit.tools.viz;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The training-loss curve as a PNG (XChart): one series per loss name against the iteration. */
public final class LossCurve {
  private LossCurve() {}

  /**
   * Writes the chart.
   *
   * @param iterations x values
   * @param series loss name to one value per iteration
   * @throws IllegalArgumentException if a series' length differs from the iterations'
   */
  public static void write(Path png, String title, double[] iterations, Map<String, double[]> series)
      throws IOException {
    XYChart chart = new XYChartBuilder().width(900).height(500).title(title).xAxisTitle("iteration")
        .yAxisTitle("loss").build();
    chart.getStyler().setLegendVisible(true);
    chart.getStyler().setMarkerSize(0);
    double[] x = iterations.length == 0 ? new double[] {0} : iterations;
    for (Map.Entry<String, double[]> e : series.entrySet()) {
      double[] y = e.getValue();
      if (y.length != iterations.length) {
        throw new IllegalArgumentException("series " + e.getKey() + " has " + y.length + " values for "
            + iterations.length + " iterations");
      }
      chart.addSeries(e.getKey(), x, y.length == 0 ? new double[] {0} : smooth(y)).setMarker(SeriesMarkers.NONE);
    }
    BitmapEncoder.saveBitmap(chart, stripPng(png.toString()), BitmapEncoder.BitmapFormat.PNG);
  }

  private static String stripPng(String p) {
    return p.endsWith(".png") ? p.substring(0, p.length() - 4) : p;
  }

  /** A running mean over 10 iterations, so the trend is visible through batch noise. */
  static double[] smooth(double[] y) {
    double[] out = new double[y.length];
    double sum = 0;
    for (int i = 0; i < y.length; i++) {
      sum += y[i];
      if (i >= 10) {
        sum -= y[i - 10];
      }
      out[i] = sum / Math.min(i + 1, 10);
    }
    return out;
  }
}
