package io.detkit.heads.examples;

import io.detkit.core.tensor.Tensors;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Direct float64 formulas the example tests check the heads against, written apart from detkit. */
final class ExampleMath {
  private ExampleMath() {}

  static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  /** Binary cross-entropy with logits against a soft target: softplus(x) - t x. */
  static double bce(double x, double t) {
    return Math.log1p(Math.exp(x)) - t * x;
  }

  /** MMDetection's delta2bbox with zero means, unit stds and no clipping. */
  static double[] decode(double[] anchor, double[] d) {
    double px = (anchor[0] + anchor[2]) * 0.5;
    double py = (anchor[1] + anchor[3]) * 0.5;
    double pw = anchor[2] - anchor[0];
    double ph = anchor[3] - anchor[1];
    double gx = px + pw * d[0];
    double gy = py + ph * d[1];
    double gw = pw * Math.exp(d[2]);
    double gh = ph * Math.exp(d[3]);
    return new double[] {gx - gw * 0.5, gy - gh * 0.5, gx + gw * 0.5, gy + gh * 0.5};
  }

  static double iou(double[] a, double[] b) {
    double w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
    double h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    double inter = w * h;
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
  }

  /** Central difference of {@code f} at {@code x}. */
  static double derivative(java.util.function.DoubleUnaryOperator f, double x) {
    double h = 1e-6;
    return (f.applyAsDouble(x + h) - f.applyAsDouble(x - h)) / (2 * h);
  }

  /** {@code [1, channels, 2, 2]} DOUBLE from per-anchor rows ({@code channels} values per anchor 0..3). */
  static INDArray map(int channels, double[]... perAnchor) {
    double[] d = new double[channels * 4];
    for (int anchor = 0; anchor < 4; anchor++) {
      for (int c = 0; c < channels; c++) {
        d[c * 4 + anchor] = perAnchor[anchor][c];
      }
    }
    return Tensors.create(d, DataType.DOUBLE, 1, channels, 2, 2);
  }

  static INDArray logits(double... perAnchor) {
    return map(1, new double[] {perAnchor[0]}, new double[] {perAnchor[1]}, new double[] {perAnchor[2]},
        new double[] {perAnchor[3]});
  }

  /** The anchors of {@link io.detkit.heads.Tiny}: index y*2 + x. */
  static final List<double[]> ANCHORS = List.of(new double[] {-8, -8, 8, 8}, new double[] {8, -8, 24, 8},
      new double[] {-8, 8, 8, 24}, new double[] {8, 8, 24, 24});
}
