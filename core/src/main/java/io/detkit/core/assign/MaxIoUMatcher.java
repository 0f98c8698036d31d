package io.detkit.core.assign;

import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.bbox.OverlapRows;
import io.detkit.core.precision.Precision;
import java.util.Arrays;

/**
 * {@link MaxIoUAssigner}'s algorithm on primitive arrays: the overlap rows it reduces (IoU, -1 for
 * priors inside an ignore region) and the assignment from their reductions ({@link MaxOverlaps}).
 * The assigner holds one, built from its parameters ({@code negLow} and {@code negHigh} NaN for no
 * negatives). Immutable and thread-safe.
 */
record MaxIoUMatcher(double posIouThr, double negLow, double negHigh, double minPosIou, boolean gtMaxAssignAll,
    boolean matchLowQuality, double ignoreIofThr, boolean ignoreWrtCandidates) {
  private static final double EPS = 1e-6;

  /** The whole {@code [K,N]} overlap matrix of {@link #rows}, after the input checks. */
  double[] matrix(double[] bboxes, double[] gt, double[] ignore, Precision p) {
    checkValues(bboxes, gt, ignore, p);
    int k = gt.length / 4;
    int n = bboxes.length / 4;
    MaxOverlaps.Rows rows = rows(bboxes, gt, ignore, p);
    double[] out = new double[Math.multiplyExact(k, n)];
    double[] row = new double[n];
    for (int i = 0; i < k; i++) {
      rows.fill(i, 0, n, row);
      System.arraycopy(row, 0, out, i * n, n);
    }
    return out;
  }

  /** Finite priors; finite, ordered ground-truth and ignore rows (messages write values as {@code p} does). */
  private static void checkValues(double[] bboxes, double[] gt, double[] ignore, Precision p) {
    BoxArgs.requireFinite(bboxes, "bboxes", p);
    BoxArgs.requireValidAnnotations(gt, "gt_bboxes", p);
    BoxArgs.requireValidAnnotations(ignore, "gt_bboxes_ignore", p);
  }

  /** Checks the boxes' values, then assigns. */
  AssignResult assignBoxes(double[] bboxes, double[] gt, double[] ignore, int[] gtLabels, Precision p) {
    checkValues(bboxes, gt, ignore, p);
    int k = gt.length / 4;
    int n = bboxes.length / 4;
    if (k == 0 || n == 0) {
      return assign(null, k, n, gtLabels, p);
    }
    return assign(rows(bboxes, gt, ignore, p), k, n, gtLabels, p);
  }

  /** The overlap rows, computed on demand: IoU, or -1 for an ignored prior. */
  MaxOverlaps.Rows rows(double[] bboxes, double[] gt, double[] ignore, Precision p) {
    OverlapRows iou = OverlapRows.of(gt, bboxes, OverlapMode.IOU, EPS, p);
    int n = bboxes.length / 4;
    boolean[] ignored = ignoreIofThr > 0 && ignore.length > 0 && n > 0 ? ignored(bboxes, n, ignore, p) : null;
    return (i, j0, j1, dst) -> {
      iou.row(i, j0, j1, dst, 0);
      if (ignored != null) {
        for (int j = j0; j < j1; j++) {
          if (ignored[j]) {
            dst[j - j0] = -1;
          }
        }
      }
    };
  }

  private boolean[] ignored(double[] bboxes, int n, double[] ignore, Precision p) {
    double thr = p.round(ignoreIofThr);
    double[] best = ignoreWrtCandidates ? IgnoreOverlaps.overPriors(bboxes, n, ignore, p)
        : IgnoreOverlaps.overIgnores(bboxes, n, ignore, p);
    boolean[] out = new boolean[n];
    for (int i = 0; i < n; i++) {
      out[i] = best[i] > thr;
    }
    return out;
  }

  /**
   * The assignment proper, on the reductions of {@link MaxOverlaps}. Values of {@code p} are exact in
   * double, and thresholds are rounded to {@code p} first, so double comparisons here decide exactly
   * as comparisons in {@code p} would.
   */
  AssignResult assign(MaxOverlaps.Rows rows, int k, int n, int[] gtLabels, Precision p) {
    if (k == 0 || n == 0) {
      return AssignResult.allNegative(k, n, gtLabels != null);
    }
    MaxOverlaps m = MaxOverlaps.of(rows, k, n);
    double[] maxOv = m.priorMax;
    int[] inds = new int[n];
    Arrays.fill(inds, -1);
    if (!Double.isNaN(negLow)) {
      double lo = p.round(negLow);
      double hi = p.round(negHigh);
      for (int j = 0; j < n; j++) {
        if (maxOv[j] >= lo && maxOv[j] < hi) {
          inds[j] = 0;
        }
      }
    }
    double pos = p.round(posIouThr);
    for (int j = 0; j < n; j++) {
      if (maxOv[j] >= pos) {
        inds[j] = m.priorArgmax[j] + 1;
      }
    }
    if (matchLowQuality) {
      double minPos = p.round(minPosIou);
      if (gtMaxAssignAll) {
        m.assignTies(minPos, inds);
      } else {
        for (int i = 0; i < k; i++) {
          if (m.gtMax[i] >= minPos) {
            inds[m.gtArgmax[i]] = i + 1;
          }
        }
      }
    }
    return AssignResult.labelled(k, inds, maxOv, gtLabels);
  }
}
