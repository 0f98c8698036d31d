package io.detkit.core.nms;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
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
   * @throws IllegalArgumentException for mismatched lengths, non-finite boxes (naming the row) or NaN
   *     scores
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
   * @throws IllegalArgumentException for mismatched lengths, non-finite boxes or NaN scores
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
    int[] kept = keep(b, s, Tensors.toInts(idxs), nmsCfg, f32);
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
   *     row), NaN scores or non-finite score factors (naming the first bad flat index)
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
    // NaN never exceeds score_thr, so a NaN score would vanish from the detections unnoticed.
    for (int i = 0; i < ms.length; i++) {
      if (Double.isNaN(ms[i])) {
        throw new IllegalArgumentException("multi_scores must not be NaN; element " + i + " is NaN");
      }
    }
    double[] factors = scoreFactors == null ? null : values(scoreFactors, f32);
    if (factors != null) {
      Tensors.requireFinite(factors, "score_factors");
    }
    double thr = r(scoreThr, f32);

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
        scores[q] = factors == null ? s : r(s * factors[i], f32);
        labels[q] = c;
        flat[q] = i * numClasses + c;
        q++;
      }
    }
    int[] kept = keep(boxes, scores, labels, nmsCfg, f32);
    if (maxNum > 0 && kept.length > maxNum) {
      kept = Arrays.copyOf(kept, maxNum);
    }
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
   * The greedy pass. Works in double; with {@code f32} every arithmetic result is rounded to
   * float32, which reproduces float32 arithmetic exactly for these operations.
   */
  static int[] keep(double[] boxes, double[] scores, int[] groups, NmsConfig cfg, boolean f32) {
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
    requireFiniteRows(boxes, "boxes");
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(scores[i])) {
        throw new IllegalArgumentException("scores[" + i + "] must not be NaN");
      }
    }
    if (cfg == null) {
      return sortedByScore(scores, null);
    }
    boolean[] take = null;
    if (cfg.scoreThreshold() > 0) {
      double st = r(cfg.scoreThreshold(), f32);
      take = new boolean[n];
      for (int i = 0; i < n; i++) {
        take[i] = scores[i] > st;
      }
    }
    int[] order = sortedByScore(scores, take);
    double off = cfg.offset();
    double thr = r(cfg.iouThreshold(), f32);
    double[] area = new double[n];
    for (int i = 0; i < n; i++) {
      double w = r(r(boxes[4 * i + 2] - boxes[4 * i], f32) + off, f32);
      double h = r(r(boxes[4 * i + 3] - boxes[4 * i + 1], f32) + off, f32);
      area[i] = r(w * h, f32);
    }
    boolean agnostic = groups == null || cfg.classAgnostic();
    Map<Integer, Integer> dense = new HashMap<>();
    int[] groupOf = new int[order.length];
    for (int t = 0; t < order.length; t++) {
      int g = agnostic ? 0 : groups[order[t]];
      Integer d = dense.get(g);
      if (d == null) {
        d = dense.size();
        dense.put(g, d);
      }
      groupOf[t] = d;
    }
    // Kept boxes per group, in the order they were kept.
    int[][] keptOf = new int[dense.size()][];
    int[] keptCount = new int[dense.size()];
    int[] out = new int[order.length];
    int kept = 0;
    for (int t = 0; t < order.length; t++) {
      int j = order[t];
      int g = groupOf[t];
      int[] list = keptOf[g];
      boolean suppressed = false;
      for (int u = 0; u < keptCount[g] && !suppressed; u++) {
        suppressed = iou(boxes, area, list[u], j, off, f32) > thr;
      }
      if (suppressed) {
        continue;
      }
      if (list == null || keptCount[g] == list.length) {
        keptOf[g] = list = list == null ? new int[8] : Arrays.copyOf(list, list.length * 2);
      }
      list[keptCount[g]++] = j;
      out[kept++] = j;
      if (cfg.maxNum() > 0 && kept == cfg.maxNum()) {
        break;
      }
    }
    return Arrays.copyOf(out, kept);
  }

  /** mmcv's overlap of kept box {@code i} with candidate {@code j}. */
  private static double iou(double[] b, double[] area, int i, int j, double off, boolean f32) {
    double xx1 = Math.max(b[4 * i], b[4 * j]);
    double yy1 = Math.max(b[4 * i + 1], b[4 * j + 1]);
    double xx2 = Math.min(b[4 * i + 2], b[4 * j + 2]);
    double yy2 = Math.min(b[4 * i + 3], b[4 * j + 3]);
    double w = Math.max(0, r(r(xx2 - xx1, f32) + off, f32));
    double h = Math.max(0, r(r(yy2 - yy1, f32) + off, f32));
    double inter = r(w * h, f32);
    return r(inter / r(r(area[i] + area[j], f32) - inter, f32), f32);
  }

  /** Indices (those with {@code take}, or all) by descending score; a stable merge sort. */
  static int[] sortedByScore(double[] scores, boolean[] take) {
    int m = 0;
    for (int i = 0; i < scores.length; i++) {
      if (take == null || take[i]) {
        m++;
      }
    }
    int[] a = new int[m];
    int t = 0;
    for (int i = 0; i < scores.length; i++) {
      if (take == null || take[i]) {
        a[t++] = i;
      }
    }
    int[] tmp = new int[m];
    for (int width = 1; width < m; width *= 2) {
      for (int lo = 0; lo < m; lo += 2 * width) {
        int mid = Math.min(lo + width, m);
        int hi = Math.min(lo + 2 * width, m);
        int x = lo;
        int y = mid;
        int o = lo;
        while (x < mid && y < hi) {
          // Take from the right run only when strictly higher: equal scores keep input order.
          tmp[o++] = scores[a[y]] > scores[a[x]] ? a[y++] : a[x++];
        }
        while (x < mid) {
          tmp[o++] = a[x++];
        }
        while (y < hi) {
          tmp[o++] = a[y++];
        }
      }
      int[] s = a;
      a = tmp;
      tmp = s;
    }
    return a;
  }

  // ---------------------------------------------------------------- helpers

  private static double r(double x, boolean f32) {
    return f32 ? (double) (float) x : x;
  }

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

  private static void requireFiniteRows(double[] b, String name) {
    for (int i = 0; i < b.length; i++) {
      if (!Double.isFinite(b[i])) {
        int row = i / 4;
        throw new IllegalArgumentException(name + " row " + row + " must be finite; got "
            + Arrays.toString(Arrays.copyOfRange(b, 4 * row, 4 * row + 4)));
      }
    }
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
