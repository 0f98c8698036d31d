package io.detkit.core.assign;

import java.util.Arrays;

/**
 * The best ground truth per prior among the candidates that passed an assigner's tests, the
 * step ATSS and TOOD's task-aligned assigner end with (MMDetection's {@code max} over the gts of a
 * matrix filled with {@code -INF} outside the candidates). Not thread-safe: one per assignment.
 */
final class BestGt {
  /** MMDetection's "no candidate" overlap, {@code -INF} with {@code INF = 1e8}. */
  static final double NONE = -ATSSMatcher.INF;

  private final double[] best;
  private final int[] gt;

  /** No prior has a candidate yet. */
  BestGt(int numPriors) {
    this.best = new double[numPriors];
    Arrays.fill(best, NONE);
    this.gt = new int[numPriors];
  }

  /**
   * Offers gt {@code j} with {@code value} to prior {@code p}. Callers visit gts in index order, so
   * the strict comparison keeps the first gt on ties, as {@code torch.max} over the gts does.
   */
  void offer(int p, int j, double value) {
    if (value > best[p]) {
      best[p] = value;
      gt[p] = j;
    }
  }

  /** Whether prior {@code p} got a candidate. */
  boolean matched(int p) {
    return best[p] != NONE;
  }

  /** The 0-based best gt of a {@linkplain #matched matched} prior. */
  int gt(int p) {
    return gt[p];
  }

  /** Writes the 1-based best gt of every matched prior into {@code inds}, leaving the others. */
  void writeInds(int[] inds) {
    for (int i = 0; i < best.length; i++) {
      if (matched(i)) {
        inds[i] = gt[i] + 1;
      }
    }
  }

  /** The best value per prior, {@link #NONE} where unmatched (the backing array, not a copy). */
  double[] values() {
    return best;
  }
}
