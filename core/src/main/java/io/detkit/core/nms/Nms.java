package io.detkit.core.nms;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.config.Config;
import io.detkit.core.order.Argsort;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Non-maximum suppression: mmcv's {@code nms} and {@code batched_nms} and MMDetection's
 * {@code multiclass_nms}.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)} rows. Boxes are visited in descending score order; a box is
 * dropped when its IoU with an already kept box of the same class is strictly greater than
 * {@code iou_threshold}. The IoU is mmcv's: {@code inter / (area_i + area_j - inter)} with
 * {@code offset} added to widths and heights and no epsilon (two empty boxes never suppress each
 * other). Float32 inputs are computed in float32 in mmcv's operation order; DOUBLE inputs in
 * float64.
 *
 * <p>Order and ties: results are sorted by descending score and, unlike PyTorch's unstable sort,
 * equal scores keep the lower input index first, so results are deterministic.
 *
 * <p>Class-aware NMS: MMDetection shifts each class's boxes by {@code class * (max_coordinate + 1)}
 * so that one NMS pass never compares boxes of different classes. Here the classes are simply kept
 * apart, which is what the shift intends; it also holds for negative coordinates, where the shift
 * can fail.
 *
 * <p>All loops run on primitive arrays; the ND4J methods only convert at the boundary.
 */
public final class Nms {
  private Nms() {}

  // ---------------------------------------------------------------- primitive API

  /**
   * Kept indices of single-class NMS, sorted by descending score.
   *
   * @param boxes {@code 4*N} coordinates
   * @param scores {@code N} scores
   * @throws IllegalArgumentException for mismatched lengths, non-finite boxes (naming the row) or
   *     non-finite scores
   */
  public static int[] nms(float[] boxes, float[] scores, float iouThreshold) {
    requireArrays(boxes, scores);
    return keep(toDoubles(boxes), toDoubles(scores), null, NmsConfig.of(iouThreshold), true);
  }

  /** Float64 counterpart of {@link #nms(float[], float[], float)}. */
  public static int[] nms(double[] boxes, double[] scores, double iouThreshold) {
    requireArrays(boxes, scores);
    return keep(boxes, scores, null, NmsConfig.of(iouThreshold), false);
  }

  /**
   * Kept indices of class-aware NMS (classes in {@code idxs}), sorted by descending score; with a
   * null {@code cfg} nothing is suppressed and all indices come back sorted.
   *
   * @throws IllegalArgumentException for mismatched lengths, non-finite boxes or non-finite scores
   */
  public static int[] batchedNms(float[] boxes, float[] scores, int[] idxs, NmsConfig cfg) {
    requireArrays(boxes, scores);
    return keep(toDoubles(boxes), toDoubles(scores), idxs, cfg, true);
  }

  /** Float64 counterpart of {@link #batchedNms(float[], float[], int[], NmsConfig)}. */
  public static int[] batchedNms(double[] boxes, double[] scores, int[] idxs, NmsConfig cfg) {
    requireArrays(boxes, scores);
    return keep(boxes, scores, idxs, cfg, false);
  }

  // ---------------------------------------------------------------- ND4J API

  /**
   * mmcv's {@code nms}: kept indices (INT64 {@code [k]}) sorted by descending score.
   *
   * @param boxes {@code [N,4]} floating-point
   * @param scores {@code [N]}
   * @throws IllegalArgumentException for wrong shapes or invalid values
   */
  public static INDArray nms(INDArray boxes, INDArray scores, double iouThreshold) {
    int n = checkBoxes(boxes, "boxes");
    checkVector(scores, "scores", n);
    boolean f32 = !isDouble(boxes, scores);
    int[] kept = keep(Tensors.toDoubles(boxes), values(scores, f32), null, NmsConfig.of(iouThreshold), f32);
    return Tensors.createLong(kept, kept.length);
  }

  /**
   * mmcv's {@code batched_nms} from an MMDetection nms dict (null: no suppression, only sorting).
   *
   * @see #batchedNms(INDArray, INDArray, INDArray, NmsConfig)
   */
  public static NmsResult batchedNms(INDArray boxes, INDArray scores, INDArray idxs, Config nmsCfg) {
    return batchedNms(boxes, scores, idxs, nmsCfg == null ? null : NmsConfig.fromConfig(nmsCfg));
  }

  /**
   * Class-aware NMS.
   *
   * @param boxes {@code [N,4]}
   * @param scores {@code [N]}
   * @param idxs {@code [N]} integer class of each box
   * @param nmsCfg the settings, or null to only sort by score
   * @return kept {@code dets [k,5]} and indices
   * @throws IllegalArgumentException for wrong shapes or invalid values
   */
  public static NmsResult batchedNms(INDArray boxes, INDArray scores, INDArray idxs, NmsConfig nmsCfg) {
    int n = checkBoxes(boxes, "boxes");
    checkVector(scores, "scores", n);
    Tensors.requireNonNull(idxs, "idxs");
    if (idxs.dataType().isFPType() || idxs.rank() > 1 || idxs.length() != n) {
      throw new IllegalArgumentException("idxs must be an integer [N] array with N=" + n + "; got "
          + idxs.dataType() + " " + Tensors.shapeOf(idxs));
    }
    boolean f32 = !isDouble(boxes, scores);
    double[] b = Tensors.toDoubles(boxes);
    double[] s = values(scores, f32);
    int[] kept = keep(b, s, Tensors.toInts(idxs, "idxs"), nmsCfg, f32);
    return new NmsResult(dets(b, s, kept, boxes.dataType()), kept);
  }

  /**
   * MMDetection's {@code multiclass_nms}.
   *
   * @param multiBboxes {@code [N,4]} (shared by all classes) or {@code [N,C*4]} (one box per class)
   * @param multiScores {@code [N,C+1]}; the last column (background) is ignored
   * @param scoreThr a (prior, class) pair takes part when its score is strictly above this
   * @param nmsCfg an MMDetection nms dict, or null for no suppression
   * @param maxNum when &gt; 0, at most this many detections
   * @param scoreFactors {@code [N]} factors multiplied into the scores after thresholding (e.g.
   *     centerness), or null
   * @throws IllegalArgumentException for wrong shapes or invalid values: non-finite boxes (naming the
   *     row), non-finite scores or score factors, or a score times its factor that overflows (naming the first bad flat index)
   */
  public static MulticlassNmsResult multiclassNms(INDArray multiBboxes, INDArray multiScores, double scoreThr,
      Config nmsCfg, int maxNum, INDArray scoreFactors) {
    return multiclassNms(multiBboxes, multiScores, scoreThr, nmsCfg == null ? null : NmsConfig.fromConfig(nmsCfg),
        maxNum, scoreFactors);
  }

  /** {@link #multiclassNms(INDArray, INDArray, double, Config, int, INDArray)} with parsed settings. */
  public static MulticlassNmsResult multiclassNms(INDArray multiBboxes, INDArray multiScores, double scoreThr,
      NmsConfig nmsCfg, int maxNum, INDArray scoreFactors) {
    Tensors.requireRank(multiScores, "multi_scores", 2);
    Tensors.requireFloating(multiScores, "multi_scores");
    int n = (int) multiScores.size(0);
    int numClasses = (int) multiScores.size(1) - 1;
    if (numClasses < 0) {
      throw new IllegalArgumentException("multi_scores must be [N,C+1] (last column background); got "
          + Tensors.shapeOf(multiScores));
    }
    Tensors.requireRank(multiBboxes, "multi_bboxes", 2);
    Tensors.requireFloating(multiBboxes, "multi_bboxes");
    long cols = multiBboxes.size(1);
    boolean perClass = cols > 4;
    if (multiBboxes.size(0) != n || (cols != 4 && cols != 4L * numClasses)) {
      throw new IllegalArgumentException("multi_bboxes must be [N,4] or [N,C*4] with N=" + n + ", C=" + numClasses
          + "; got " + Tensors.shapeOf(multiBboxes));
    }
    if (scoreFactors != null) {
      Tensors.requireFloating(scoreFactors, "score_factors");
      checkVector(scoreFactors, "score_factors", n);
    }
    if (Double.isNaN(scoreThr)) {
      throw new IllegalArgumentException("score_thr must be a number; got NaN");
    }
    boolean f32 = !isDouble(multiBboxes, multiScores);
    double[] bb = Tensors.toDoubles(multiBboxes);
    requireFiniteRows(bb, "multi_bboxes");
    double[] ms = values(multiScores, f32);
    // NaN never exceeds score_thr, so a NaN score would vanish from the detections unnoticed; an
    // infinite one would outrank (or undercut) everything.
    Tensors.requireFinite(ms, "multi_scores");
    double[] factors = scoreFactors == null ? null : values(scoreFactors, f32);
    if (factors != null) {
      Tensors.requireFinite(factors, "score_factors");
    }
    double thr = round(scoreThr, f32);

    int count = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < numClasses; c++) {
        if (ms[i * (numClasses + 1) + c] > thr) {
          count++;
        }
      }
    }
    double[] boxes = new double[4 * count];
    double[] scores = new double[count];
    int[] labels = new int[count];
    int[] flat = new int[count];
    int q = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < numClasses; c++) {
        double s = ms[i * (numClasses + 1) + c];
        if (!(s > thr)) {
          continue;
        }
        int src = perClass ? (i * numClasses + c) * 4 : i * 4;
        System.arraycopy(bb, src, boxes, 4 * q, 4);
        scores[q] = factors == null ? s : round(s * factors[i], f32);
        if (!Double.isFinite(scores[q])) {
          throw new IllegalArgumentException("multi_scores element " + (i * (numClasses + 1) + c) + " (" + s
              + ") times score_factors element " + i + " (" + factors[i] + ") overflows "
              + (f32 ? "float32" : "float64") + " to " + scores[q]);
        }
        labels[q] = c;
        flat[q] = i * numClasses + c;
        q++;
      }
    }
    int[] kept = keep(boxes, scores, labels, nmsCfg, f32, maxNum, true);
    int[] keptLabels = new int[kept.length];
    int[] keptInds = new int[kept.length];
    for (int t = 0; t < kept.length; t++) {
      keptLabels[t] = labels[kept[t]];
      keptInds[t] = flat[kept[t]];
    }
    return new MulticlassNmsResult(dets(boxes, scores, kept, multiBboxes.dataType()), keptLabels, keptInds);
  }

  // ---------------------------------------------------------------- the algorithm

  /**
   * Candidates at or above this count with at least two groups run their groups on the calling
   * thread's fork-join pool (the common pool outside one); below it the fork/join overhead exceeds
   * the work.
   */
  static final int PARALLEL_MIN_CANDIDATES = 4096;

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
    double reach = requireFiniteRows(boxes, "boxes");
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
    Greedy greedy = new Greedy(boxes, scores, cfg.offset(), round(cfg.iouThreshold(), f32), f32,
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

  /** Higher score first; equal scores ({@code ==}, so -0.0 ties 0.0) by lower index. */
  private static boolean before(double[] scores, int a, int b) {
    double sa = scores[a];
    double sb = scores[b];
    return sa > sb || (sa == sb && a < b);
  }

  /** The suppression of one problem; the arrays are shared read-only, so groups may run concurrently. */
  private static final class Greedy {
    private final double[] boxes;
    private final double[] scores;
    private final double off;
    private final double thr;
    private final boolean nonNegativeThr;
    private final boolean f32;
    /** Whether some coordinate is so large that an area overflows: pairs are then scaled first. */
    private final boolean huge;

    Greedy(double[] boxes, double[] scores, double off, double thr, boolean f32, boolean huge) {
      this.boxes = boxes;
      this.scores = scores;
      this.off = off;
      this.thr = thr;
      this.nonNegativeThr = thr >= 0;
      this.f32 = f32;
      this.huge = huge;
    }

    /**
     * Every group to completion: candidates bucketed by group, each bucket sorted and suppressed on
     * its own, then the kept boxes merged into the total order.
     */
    int[] allGroups(int[] cand, int[] gid, int numGroups, boolean parallel) {
      int m = cand.length;
      int[] start = new int[numGroups + 1];
      for (int i : cand) {
        start[gid[i] + 1]++;
      }
      for (int g = 0; g < numGroups; g++) {
        start[g + 1] += start[g];
      }
      int[] fill = Arrays.copyOf(start, numGroups);
      int[] idx = new int[m];
      for (int i : cand) {
        idx[fill[gid[i]]++] = i;
      }
      // Scratch shared by all groups, each using only its own [start, end) slice.
      int[] tmp = new int[m];
      double[] kb = new double[4 * m];
      double[] ka = new double[m];
      int[] keptCount = new int[numGroups];
      IntConsumer task = g -> keptCount[g] = suppressGroup(idx, tmp, kb, ka, start[g], start[g + 1]);
      if (parallel && numGroups > 1 && m >= PARALLEL_MIN_CANDIDATES) {
        IntStream.range(0, numGroups).parallel().forEach(task);
      } else {
        for (int g = 0; g < numGroups; g++) {
          task.accept(g);
        }
      }
      int total = 0;
      for (int g = 0; g < numGroups; g++) {
        total += keptCount[g];
      }
      int[] out = new int[total];
      for (int g = 0, o = 0; g < numGroups; g++) {
        System.arraycopy(idx, start[g], out, o, keptCount[g]);
        o += keptCount[g];
      }
      Argsort.sortDescending(out, 0, total, scores);
      return out;
    }

    /**
     * Sorts {@code idx[from, to)} and suppresses within it. Kept candidates are compacted to the
     * front of the slice (box in {@code kb}, area in {@code ka}) so the inner loop reads contiguous
     * memory; returns how many were kept.
     */
    private int suppressGroup(int[] idx, int[] tmp, double[] kb, double[] ka, int from, int to) {
      Argsort.sortDescending(idx, tmp, from, to, scores);
      int k = from;
      for (int p = from; p < to; p++) {
        int j = idx[p];
        double x1 = boxes[4 * j];
        double y1 = boxes[4 * j + 1];
        double x2 = boxes[4 * j + 2];
        double y2 = boxes[4 * j + 3];
        double area = area(x1, y1, x2, y2);
        if (suppressed(kb, ka, from, k, null, x1, y1, x2, y2, area)) {
          continue;
        }
        kb[4 * k] = x1;
        kb[4 * k + 1] = y1;
        kb[4 * k + 2] = x2;
        kb[4 * k + 3] = y2;
        ka[k] = area;
        idx[k++] = j;
      }
      return k - from;
    }

    /**
     * The first {@code limit} kept boxes only: candidates are popped from a heap in the total order
     * until that many are kept, so a small {@code max_num} never sorts or visits the rest.
     */
    int[] topK(int[] cand, int[] gid, int numGroups, int limit) {
      int[] heap = cand;
      int size = heap.length;
      for (int h = size / 2 - 1; h >= 0; h--) {
        siftDown(heap, size, h);
      }
      int[] out = new int[limit];
      double[] kb = new double[4 * limit];
      double[] ka = new double[limit];
      // Kept boxes of a group form a list through next[], newest first.
      int[] head = new int[numGroups];
      Arrays.fill(head, -1);
      int[] next = new int[limit];
      int kept = 0;
      while (size > 0 && kept < limit) {
        int j = heap[0];
        heap[0] = heap[--size];
        siftDown(heap, size, 0);
        double x1 = boxes[4 * j];
        double y1 = boxes[4 * j + 1];
        double x2 = boxes[4 * j + 2];
        double y2 = boxes[4 * j + 3];
        double area = area(x1, y1, x2, y2);
        int g = gid[j];
        if (suppressed(kb, ka, head[g], -1, next, x1, y1, x2, y2, area)) {
          continue;
        }
        kb[4 * kept] = x1;
        kb[4 * kept + 1] = y1;
        kb[4 * kept + 2] = x2;
        kb[4 * kept + 3] = y2;
        ka[kept] = area;
        next[kept] = head[g];
        head[g] = kept;
        out[kept++] = j;
      }
      return Arrays.copyOf(out, kept);
    }

    private void siftDown(int[] heap, int size, int h) {
      int v = heap[h];
      while (true) {
        int c = 2 * h + 1;
        if (c >= size) {
          break;
        }
        if (c + 1 < size && before(scores, heap[c + 1], heap[c])) {
          c++;
        }
        if (!before(scores, heap[c], v)) {
          break;
        }
        heap[h] = heap[c];
        h = c;
      }
      heap[h] = v;
    }

    /**
     * Whether a kept box overlaps the candidate by more than the threshold. Kept boxes are either the
     * range {@code [u, end)} ({@code next == null}) or the list from {@code u} through {@code next}.
     * Which kept box is found first does not matter: any one suppresses.
     */
    private boolean suppressed(double[] kb, double[] ka, int u, int end, int[] next, double x1, double y1,
        double x2, double y2, double area) {
      if (huge) {
        return suppressedScaled(kb, u, end, next, x1, y1, x2, y2);
      }
      while (next == null ? u < end : u >= 0) {
        // mmcv's IoU of kept box u with the candidate, each step rounded as float32 would round it.
        double w = Math.max(0, round(round(Math.min(kb[4 * u + 2], x2) - Math.max(kb[4 * u], x1), f32) + off, f32));
        // Disjoint boxes: inter is 0, so the IoU is 0, -0 or NaN (0/0), none above a threshold >= 0.
        if (w > 0 || !nonNegativeThr) {
          double h = Math.max(0, round(round(Math.min(kb[4 * u + 3], y2) - Math.max(kb[4 * u + 1], y1), f32) + off, f32));
          double inter = round(w * h, f32);
          if (round(inter / round(round(ka[u] + area, f32) - inter, f32), f32) > thr) {
            return true;
          }
        }
        u = next == null ? u + 1 : next[u];
      }
      return false;
    }

    private double area(double x1, double y1, double x2, double y2) {
      double w = round(round(x2 - x1, f32) + off, f32);
      double h = round(round(y2 - y1, f32) + off, f32);
      return round(w * h, f32);
    }

    /**
     * {@link #suppressed} for problems with huge coordinates, where mmcv's areas overflow to
     * infinity and their IoU to NaN, so that even identical boxes would both survive. Each pair is
     * scaled by the power of two that brings its largest coordinate under the safe bound (exact,
     * offset included); the IoU, a ratio of areas, is unchanged by it, and a pair that needs no
     * scaling gets mmcv's value.
     */
    private boolean suppressedScaled(double[] kb, int u, int end, int[] next, double x1, double y1, double x2,
        double y2) {
      while (next == null ? u < end : u >= 0) {
        double a1 = kb[4 * u];
        double b1 = kb[4 * u + 1];
        double a2 = kb[4 * u + 2];
        double b2 = kb[4 * u + 3];
        int e = OverlapKernels.scaleExponent(a1, b1, a2, b2, x1, y1, x2, y2, f32);
        double o = Math.scalb(off, -e);
        double ka1 = Math.scalb(a1, -e);
        double kb1 = Math.scalb(b1, -e);
        double ka2 = Math.scalb(a2, -e);
        double kb2 = Math.scalb(b2, -e);
        double cx1 = Math.scalb(x1, -e);
        double cy1 = Math.scalb(y1, -e);
        double cx2 = Math.scalb(x2, -e);
        double cy2 = Math.scalb(y2, -e);
        double w = Math.max(0, round(round(Math.min(ka2, cx2) - Math.max(ka1, cx1), f32) + o, f32));
        double h = Math.max(0, round(round(Math.min(kb2, cy2) - Math.max(kb1, cy1), f32) + o, f32));
        double inter = round(w * h, f32);
        double areaKept = round(round(round(ka2 - ka1, f32) + o, f32) * round(round(kb2 - kb1, f32) + o, f32), f32);
        double areaCand = round(round(round(cx2 - cx1, f32) + o, f32) * round(round(cy2 - cy1, f32) + o, f32), f32);
        if (round(inter / round(round(areaKept + areaCand, f32) - inter, f32), f32) > thr) {
          return true;
        }
        u = next == null ? u + 1 : next[u];
      }
      return false;
    }
  }

  // ---------------------------------------------------------------- helpers

  private static boolean isDouble(INDArray a, INDArray b) {
    return a.dataType() == DataType.DOUBLE || b.dataType() == DataType.DOUBLE;
  }

  /** Values in the working precision (float32 values are rounded first when computing in float32). */
  private static double[] values(INDArray a, boolean f32) {
    return f32 ? toDoubles(Tensors.toFloats(a)) : Tensors.toDoubles(a);
  }

  private static int checkBoxes(INDArray boxes, String name) {
    Tensors.requireBoxes(boxes, name);
    return (int) boxes.size(0);
  }

  private static void checkVector(INDArray v, String name, int n) {
    Tensors.requireNonNull(v, name);
    if (v.rank() > 1 || v.length() != n) {
      throw new IllegalArgumentException(name + " must be [N] with N=" + n + "; got " + Tensors.shapeOf(v));
    }
  }

  /** Requires finite coordinates; returns the largest magnitude, which decides the scaled IoU path. */
  private static double requireFiniteRows(double[] b, String name) {
    double reach = 0;
    for (int i = 0; i < b.length; i++) {
      if (!Double.isFinite(b[i])) {
        int row = i / 4;
        throw new IllegalArgumentException(name + " row " + row + " must be finite; got "
            + Arrays.toString(Arrays.copyOfRange(b, 4 * row, 4 * row + 4)));
      }
      reach = Math.max(reach, Math.abs(b[i]));
    }
    return reach;
  }

  private static void requireArrays(Object boxes, Object scores) {
    if (boxes == null) {
      throw new IllegalArgumentException("boxes must not be null");
    }
    if (scores == null) {
      throw new IllegalArgumentException("scores must not be null");
    }
  }

  private static double[] toDoubles(float[] a) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  private static INDArray dets(double[] boxes, double[] scores, int[] kept, DataType type) {
    double[] d = new double[5 * kept.length];
    for (int t = 0; t < kept.length; t++) {
      System.arraycopy(boxes, 4 * kept[t], d, 5 * t, 4);
      d[5 * t + 4] = scores[kept[t]];
    }
    return Tensors.create(d, type.isFPType() ? type : DataType.FLOAT, kept.length, 5);
  }
}
