package io.detkit.losses;

import static io.detkit.core.precision.Precision.round;


/**
 * The gradient-density histogram shared by {@link GHMC} and {@link GHMR}: {@code bins} equal bins
 * of the gradient norm over [0, 1], and the weight each non-empty bin gives its elements,
 * {@code tot / count} (with {@code momentum > 0}: {@code tot / acc}, where
 * {@code acc = momentum * acc + (1 - momentum) * count} is kept across calls), divided by the
 * number of non-empty bins.
 *
 * <p>The edges are float32 values, {@code i / bins} as MMDetection's
 * {@code torch.arange(bins + 1).float() / bins}, with the last one replaced by the loss's own
 * upper edge. The running counts are the only state; their updates are synchronized on this
 * histogram, so concurrent calls are safe and their order decides the result.
 */
final class GhmBins {
  private final int bins;
  private final double momentum;
  private final double[] edges;
  /** GHMC keeps its counts as float32, as MMDetection's buffer; GHMR keeps them in double. */
  private final boolean float32Counts;
  /** Guarded by {@code this}. */
  private final double[] acc;

  /**
   * The histogram of {@code bins} bins ({@code [1, Limits.MAX_BINS]}) with running counts of
   * {@code momentum} ({@code [0, 1)}), both checked by the loss's {@code Params} record.
   */
  GhmBins(int bins, double momentum, double upperEdge, boolean float32Counts) {
    // The loss's Params record has checked both (ParamChecks' @BinCount and @Fraction).
    this.bins = bins;
    this.momentum = momentum;
    this.edges = new double[bins + 1];
    for (int i = 0; i <= bins; i++) {
      edges[i] = (float) i / (float) bins;
    }
    edges[bins] = upperEdge;
    this.float32Counts = float32Counts;
    this.acc = new double[bins];
  }

  int bins() {
    return bins;
  }

  double momentum() {
    return momentum;
  }

  /** The bin of gradient norm {@code g}, or -1 when it is in none (NaN, which MMDetection also leaves out). */
  int binOf(double g) {
    for (int b = 0; b < bins; b++) {
      if (g >= edges[b] && g < edges[b + 1]) {
        return b;
      }
    }
    return -1;
  }

  /**
   * The weight of each bin given this call's per-bin {@code counts} and {@code tot}; updates the
   * running counts when {@code momentum > 0}.
   */
  double[] weights(int[] counts, double tot) {
    double[] w = new double[bins];
    int nonEmpty = 0;
    synchronized (this) {
      for (int b = 0; b < bins; b++) {
        if (counts[b] > 0) {
          nonEmpty++;
          if (momentum > 0) {
            double a = momentum * acc[b] + (1 - momentum) * counts[b];
            acc[b] = round(a, float32Counts);
            w[b] = tot / acc[b];
          } else {
            w[b] = tot / counts[b];
          }
        }
      }
    }
    if (nonEmpty > 0) {
      for (int b = 0; b < bins; b++) {
        w[b] /= nonEmpty;
      }
    }
    return w;
  }

  /** A snapshot of the running per-bin counts (zeros before the first call or without momentum). */
  synchronized double[] runningCounts() {
    return acc.clone();
  }
}
