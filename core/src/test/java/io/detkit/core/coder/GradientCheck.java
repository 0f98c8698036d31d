package io.detkit.core.coder;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.testing.RandomBoxes;
import java.util.Random;

/** Float64 central-difference checks of a coder's {@code decodeVjp}. */
final class GradientCheck {
  private GradientCheck() {}

  /** {@code sum(upstream * decode(priors, pred))} in float64. */
  static double objective(BBoxCoder coder, double[] priors, double[] pred, int[] maxShape, double[] upstream,
      Decoder decoder) {
    double[] out = decoder.decode(priors, pred, maxShape);
    double s = 0;
    for (int i = 0; i < out.length; i++) {
      s += upstream[i] * out[i];
    }
    return s;
  }

  /** Decoding under test (a coder's plain decode, or one with extra arguments). */
  @FunctionalInterface
  interface Decoder {
    double[] decode(double[] priors, double[] pred, int[] maxShape);
  }

  /**
   * Asserts that {@code analytic} matches central differences of the objective. Elements whose
   * one-sided differences disagree sit on a clamp's kink and are skipped; the count of checked
   * elements is returned so callers can require that most were checked.
   */
  static int check(BBoxCoder coder, double[] priors, double[] pred, int[] maxShape, double[] upstream,
      double[] analytic, Decoder decoder) {
    double h = 1e-6;
    double f0 = objective(coder, priors, pred, maxShape, upstream, decoder);
    int checked = 0;
    for (int i = 0; i < pred.length; i++) {
      double[] p = pred.clone();
      p[i] = pred[i] + h;
      double fp = objective(coder, priors, p, maxShape, upstream, decoder);
      p[i] = pred[i] - h;
      double fm = objective(coder, priors, p, maxShape, upstream, decoder);
      double right = (fp - f0) / h;
      double left = (f0 - fm) / h;
      if (Math.abs(right - left) > 1e-3 * (1 + Math.abs(right))) {
        continue;
      }
      double numeric = (fp - fm) / (2 * h);
      assertThat(analytic[i]).as("d/dpred[%d]", i).isCloseTo(numeric,
          org.assertj.core.api.Assertions.within(1e-5 * (1 + Math.abs(numeric))));
      checked++;
    }
    return checked;
  }

  /** Random priors {@code (x1, y1, x2, y2)} inside roughly {@code [0, extent]} with sides in [4, 40]. */
  static double[] randomBoxes(Random r, int n, double extent) {
    return RandomBoxes.doubles(r, n, extent, extent, 4, 36);
  }

  static double[] uniform(Random r, int n, double lo, double hi) {
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * r.nextDouble();
    }
    return v;
  }
}
