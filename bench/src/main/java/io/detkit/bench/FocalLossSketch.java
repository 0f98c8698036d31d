package io.detkit.bench;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A measuring stick, not library code: sigmoid focal loss ({@code gamma = 2}) forward and gradient
 * fused into one float32 pass over {@code [N, C]} logits with class-id targets, {@code mean}
 * reduction over {@code avg_factor}, as RetinaHead calls it. It shows what the {@code FocalLoss}
 * case could reach with the changes {@code docs/performance.md} lists: no one-hot matrix, no
 * float64 copies of the inputs, no stored element-wise loss, one {@code exp} and one {@code log}
 * per element, and the rows split across threads.
 *
 * <p>The value is accumulated in float64 and the gradient written as float32; both agree with
 * {@code FocalLoss} to float32 rounding (checked in {@code FocalLossSketchTest}). Throws {@link
 * IllegalArgumentException} when the lengths do not fit {@code N x C}.
 */
final class FocalLossSketch {
  private static final double ALPHA = 0.25;
  /** Below this {@code exp(-|x|)}, {@code log(1 + e)} would lose digits float32 keeps; use log1p. */
  private static final double LOG1P_CUTOFF = 1e-6;

  private FocalLossSketch() {}

  /** One thread over rows {@code [r0, r1)}; returns the unscaled sum of the losses. */
  static double rows(float[] x, int[] labels, int c, double scale, float[] grad, int r0, int r1) {
    double sum = 0;
    for (int r = r0; r < r1; r++) {
      int label = labels[r];
      int base = r * c;
      for (int j = 0; j < c; j++) {
        double xi = x[base + j];
        double t = j == label ? 1.0 : 0.0;
        double e = Math.exp(-Math.abs(xi));
        double inv = 1.0 / (1.0 + e);
        // sigmoid(x) and sigmoid(-x) from the one exponential, each without cancellation.
        double s = xi >= 0 ? inv : e * inv;
        double sm = xi >= 0 ? e * inv : inv;
        double softplus = e > LOG1P_CUTOFF ? Math.log(1.0 + e) : Math.log1p(e);
        double bce = Math.max(xi, 0.0) - xi * t + softplus;
        double aw = t == 1.0 ? ALPHA : 1 - ALPHA;
        double pt = t == 1.0 ? sm : s;
        double dPt = (1 - 2 * t) * s * sm;
        double mod = pt * pt;
        sum += bce * aw * mod;
        grad[base + j] = (float) (scale * aw * ((s - t) * mod + bce * 2 * pt * dPt));
      }
    }
    return sum;
  }

  /**
   * Loss value; fills {@code grad} with d(loss)/d(x).
   *
   * @param threads 1 runs on the caller's thread
   */
  static double forward(float[] x, int[] labels, int c, double avgFactor, float[] grad, int threads,
      ExecutorService pool) throws Exception {
    int n = labels.length;
    if (x.length != n * c || grad.length != x.length) {
      throw new IllegalArgumentException("x and grad must hold N*C = " + n + "*" + c + " values; got "
          + x.length + " and " + grad.length);
    }
    double scale = 1.0 / (avgFactor + 1.1920928955078125e-07);
    if (threads <= 1) {
      return rows(x, labels, c, scale, grad, 0, n) * scale;
    }
    @SuppressWarnings("unchecked")
    Future<Double>[] parts = new Future[threads];
    for (int k = 0; k < threads; k++) {
      int r0 = (int) ((long) n * k / threads);
      int r1 = (int) ((long) n * (k + 1) / threads);
      parts[k] = pool.submit(() -> rows(x, labels, c, scale, grad, r0, r1));
    }
    double sum = 0;
    for (Future<Double> f : parts) {
      sum += f.get();
    }
    return sum * scale;
  }

  static ExecutorService pool(int threads) {
    return Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "focal-sketch");
      t.setDaemon(true);
      return t;
    });
  }
}
