package io.detkit.core.assign;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;

/**
 * The ignore-region test both assigners share: for every prior, the largest IoF with any ignore
 * box, with flat {@code (x1, y1, x2, y2)} rows and at least one ignore box. Callers validate the
 * boxes.
 *
 * <p>The float32 and float64 versions mirror each other on purpose: each keeps torch's operation
 * order in its own precision, and routing float32 through rounded doubles would slow the path that
 * runs on every training image.
 */
final class IgnoreOverlaps {
  private static final float EPS_F = 1e-6f;
  private static final double EPS_D = 1e-6;
  /** Pairs per chunk, so that memory stays linear in the number of priors. */
  private static final int CHUNK_PAIRS = 1 << 20;

  private IgnoreOverlaps() {}

  /** Per prior, the largest IoF over the prior's own area ({@code ignore_wrt_candidates=True}). */
  static float[] overPriors(float[] priors, int n, float[] ignore) {
    int m = ignore.length / 4;
    int chunk = Math.max(1, Math.min(n, CHUNK_PAIRS / m));
    float[] buf = new float[chunk * m];
    float[] best = new float[n];
    for (int s = 0; s < n; s += chunk) {
      int e = Math.min(n, s + chunk);
      OverlapKernels.pairwise(priors, s, e, ignore, OverlapMode.IOF, EPS_F, buf);
      for (int i = s; i < e; i++) {
        int o = (i - s) * m;
        float mx = buf[o];
        for (int j = 1; j < m; j++) {
          mx = Math.max(mx, buf[o + j]);
        }
        best[i] = mx;
      }
    }
    return best;
  }

  /** Float64 counterpart of {@link #overPriors(float[], int, float[])}. */
  static double[] overPriors(double[] priors, int n, double[] ignore) {
    int m = ignore.length / 4;
    int chunk = Math.max(1, Math.min(n, CHUNK_PAIRS / m));
    double[] buf = new double[chunk * m];
    double[] best = new double[n];
    for (int s = 0; s < n; s += chunk) {
      int e = Math.min(n, s + chunk);
      OverlapKernels.pairwise(priors, s, e, ignore, OverlapMode.IOF, EPS_D, buf);
      for (int i = s; i < e; i++) {
        int o = (i - s) * m;
        double mx = buf[o];
        for (int j = 1; j < m; j++) {
          mx = Math.max(mx, buf[o + j]);
        }
        best[i] = mx;
      }
    }
    return best;
  }

  /** Per prior, the largest IoF over each ignore box's area ({@code ignore_wrt_candidates=False}). */
  static float[] overIgnores(float[] priors, int n, float[] ignore) {
    int m = ignore.length / 4;
    float[] buf = new float[n];
    float[] best = new float[n];
    // Decided once: the kernel would otherwise scan all priors again for every ignore box.
    boolean scaled = !OverlapKernels.withinFastRange(priors) || !OverlapKernels.withinFastRange(ignore);
    for (int g = 0; g < m; g++) {
      OverlapKernels.pairwise(ignore, g, g + 1, priors, OverlapMode.IOF, EPS_F, buf, scaled);
      for (int i = 0; i < n; i++) {
        best[i] = g == 0 ? buf[i] : Math.max(best[i], buf[i]);
      }
    }
    return best;
  }

  /** Float64 counterpart of {@link #overIgnores(float[], int, float[])}. */
  static double[] overIgnores(double[] priors, int n, double[] ignore) {
    int m = ignore.length / 4;
    double[] buf = new double[n];
    double[] best = new double[n];
    // Decided once: the kernel would otherwise scan all priors again for every ignore box.
    boolean scaled = !OverlapKernels.withinFastRange(priors) || !OverlapKernels.withinFastRange(ignore);
    for (int g = 0; g < m; g++) {
      OverlapKernels.pairwise(ignore, g, g + 1, priors, OverlapMode.IOF, EPS_D, buf, scaled);
      for (int i = 0; i < n; i++) {
        best[i] = g == 0 ? buf[i] : Math.max(best[i], buf[i]);
      }
    }
    return best;
  }
}
