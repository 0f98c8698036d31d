package io.detkit.core.nms;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.order.Argsort;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;

/**
 * The entry of every NMS: checks the arrays, drops scores at or below {@code score_threshold},
 * numbers the classes (batched NMS keeps each class apart), picks the huge-box IoU when a
 * coordinate is large enough for an area to overflow, and runs {@link GreedyNms} to completion or
 * for the first {@code max_num} kept boxes.
 */
final class NmsKeep {
  private NmsKeep() {}

  static int[] keep(double[] boxes, double[] scores, int[] groups, NmsConfig cfg, boolean f32) {
    return keep(boxes, scores, groups, cfg, f32, -1, true);
  }

  /**
   * The greedy pass. Works in double; with {@code f32} every arithmetic result is rounded to
   * float32, which reproduces float32 arithmetic exactly for these operations.
   *
   * <p>The result is the kept boxes in the total order (score descending, index ascending),
   * truncated to {@code maxOut} when it is positive. A candidate's fate depends only on the
   * higher-ranked candidates of its own group, so the groups are independent: they may run in
   * parallel, and each may stop once it has kept {@code maxOut}. The result is the same whether and
   * however the groups are split over threads.
   *
   * @param parallel whether large problems may use the fork-join pool (false: always this thread)
   */
  static int[] keep(double[] boxes, double[] scores, int[] groups, NmsConfig cfg, boolean f32, int maxOut,
      boolean parallel) {
    if (boxes.length % 4 != 0) {
      throw new IllegalArgumentException("boxes must hold 4 values per box (x1, y1, x2, y2); got " + boxes.length
          + " values");
    }
    int n = boxes.length / 4;
    if (scores.length != n) {
      throw new IllegalArgumentException("scores must have one entry per box (" + n + "); got " + scores.length);
    }
    if (groups != null && groups.length != n) {
      throw new IllegalArgumentException("idxs must have one entry per box (" + n + "); got " + groups.length);
    }
    double reach = NmsArrays.requireFiniteRows(boxes, "boxes");
    // +Inf would outrank every finite score and -Inf fall below every threshold, both silently.
    Tensors.requireFinite(scores, "scores");
    if (cfg == null) {
      int[] all = Argsort.descending(scores);
      return maxOut > 0 && all.length > maxOut ? Arrays.copyOf(all, maxOut) : all;
    }
    int limit = cfg.maxNum() > 0 && (maxOut <= 0 || cfg.maxNum() < maxOut) ? cfg.maxNum() : maxOut;
    int m = n;
    int[] cand;
    if (cfg.scoreThreshold() > 0) {
      double st = round(cfg.scoreThreshold(), f32);
      m = 0;
      for (int i = 0; i < n; i++) {
        if (scores[i] > st) {
          m++;
        }
      }
      cand = new int[m];
      for (int i = 0, t = 0; i < n; i++) {
        if (scores[i] > st) {
          cand[t++] = i;
        }
      }
    } else {
      cand = new int[n];
      for (int i = 0; i < n; i++) {
        cand[i] = i;
      }
    }
    if (m == 0) {
      return new int[0];
    }
    int[] gid = new int[n];
    int numGroups = groups == null || cfg.classAgnostic() ? 1 : denseGroups(groups, cand, gid);
    GreedyNms greedy = new GreedyNms(boxes, scores, cfg.offset(), round(cfg.iouThreshold(), f32), f32,
        reach > (f32 ? OverlapKernels.SAFE_F32 : OverlapKernels.SAFE_F64));
    if (limit > 0 && limit < m) {
      return greedy.topK(cand, gid, numGroups, limit);
    }
    return greedy.allGroups(cand, gid, numGroups, parallel);
  }

  /**
   * Writes a dense id (0..G-1, in order of first appearance) of each candidate's group into
   * {@code gid[candidate]} and returns G.
   */
  private static int denseGroups(int[] groups, int[] cand, int[] gid) {
    int lo = Integer.MAX_VALUE;
    int hi = Integer.MIN_VALUE;
    for (int i : cand) {
      lo = Math.min(lo, groups[i]);
      hi = Math.max(hi, groups[i]);
    }
    long range = (long) hi - lo + 1;
    int count = 0;
    if (range <= 4L * cand.length + 1024) {
      // Class labels are small integers: a table beats hashing.
      int[] table = new int[(int) range];
      Arrays.fill(table, -1);
      for (int i : cand) {
        int k = groups[i] - lo;
        if (table[k] < 0) {
          table[k] = count++;
        }
        gid[i] = table[k];
      }
      return count;
    }
    int[] distinct = new int[cand.length];
    for (int t = 0; t < cand.length; t++) {
      distinct[t] = groups[cand[t]];
    }
    Arrays.sort(distinct);
    for (int t = 0; t < distinct.length; t++) {
      if (t == 0 || distinct[t] != distinct[t - 1]) {
        distinct[count++] = distinct[t];
      }
    }
    for (int i : cand) {
      gid[i] = Arrays.binarySearch(distinct, 0, count, groups[i]);
    }
    return count;
  }
}
