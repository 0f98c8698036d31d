package io.detkit.core.assign;

import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.bbox.OverlapRows;
import io.detkit.core.precision.Precision;

/**
 * The ignore-region test both assigners share: for every prior, the largest IoF with any ignore
 * box, with flat {@code (x1, y1, x2, y2)} rows of values representable in the precision and at
 * least one ignore box. Callers validate the boxes. Each row is reduced as soon as it is computed,
 * so memory stays linear in the number of priors.
 */
final class IgnoreOverlaps {
  private static final double EPS = 1e-6;

  private IgnoreOverlaps() {}

  /** Per prior, the largest IoF over the prior's own area ({@code ignore_wrt_candidates=True}). */
  static double[] overPriors(double[] priors, int n, double[] ignore, Precision p) {
    OverlapRows rows = OverlapRows.of(priors, ignore, OverlapMode.IOF, EPS, p);
    int m = rows.cols();
    double[] buf = new double[m];
    double[] best = new double[n];
    for (int i = 0; i < n; i++) {
      rows.row(i, 0, m, buf, 0);
      double mx = buf[0];
      for (int j = 1; j < m; j++) {
        mx = Math.max(mx, buf[j]);
      }
      best[i] = mx;
    }
    return best;
  }

  /** Per prior, the largest IoF over each ignore box's area ({@code ignore_wrt_candidates=False}). */
  static double[] overIgnores(double[] priors, int n, double[] ignore, Precision p) {
    OverlapRows rows = OverlapRows.of(ignore, priors, OverlapMode.IOF, EPS, p);
    double[] buf = new double[n];
    double[] best = new double[n];
    for (int g = 0; g < rows.rows(); g++) {
      rows.row(g, 0, n, buf, 0);
      for (int i = 0; i < n; i++) {
        best[i] = g == 0 ? buf[i] : Math.max(best[i], buf[i]);
      }
    }
    return best;
  }
}
