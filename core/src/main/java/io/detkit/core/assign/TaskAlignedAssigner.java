package io.detkit.core.assign;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.order.TorchTopk;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code TaskAlignedAssigner} (TOOD): assigns priors from the head's own predictions.
 *
 * <p>For every prior {@code i} and gt {@code j} the alignment metric is
 * {@code t = s^alpha * u^beta}, where {@code s} is the predicted probability of the gt's class and
 * {@code u} the IoU of the prior's <em>predicted</em> (decoded) box with the gt. For each gt the
 * {@code min(topk, N)} priors with the largest metric over all levels together become candidates
 * (PyTorch's {@code topk} order and tie-breaking are reproduced); a candidate is positive when its
 * metric is &gt; 0 and its <em>anchor</em> centre lies inside the gt by more than 0.01 on every
 * side. A prior positive for several gts takes the one with the highest IoU (the lowest index on
 * ties), not the highest metric.
 *
 * <p>MMDetection's results are reproduced exactly, quirks included: {@code max_overlaps} is the IoU
 * for positives and -1e8 for every other prior; nothing is ever ignored ({@code gt_bboxes_ignore}
 * is accepted and has no effect); with no gt or no prior every prior is negative with overlap 0.
 * {@code alpha} and {@code beta} are arguments of the call (TOOD's {@code train_cfg}), not of the
 * assigner's config. Float32 inputs are computed with float32 rounding in PyTorch's order, float64
 * inputs in float64.
 *
 * <p>Because it needs predictions, the plain {@link BaseAssigner#assign} (priors only) is refused;
 * the class still implements {@link BaseAssigner} so that it is built from the assigner registry
 * like MMDetection's. Immutable and thread-safe.
 */
public final class TaskAlignedAssigner implements BaseAssigner {
  /** MMDetection's "no overlap" sentinel for non-positive priors. */
  public static final double INF = 100000000;
  private static final double CENTER_MARGIN = 0.01;

  private final int topk;

  private TaskAlignedAssigner(int topk) {
    this.topk = topk;
  }

  /**
   * An assigner keeping {@code topk} candidates per gt.
   *
   * @throws IllegalArgumentException if {@code topk < 1}
   */
  public static TaskAlignedAssigner of(int topk) {
    return new TaskAlignedAssigner(AssignerChecks.requireTopk(topk));
  }

  /**
   * Builds from an MMDetection config dict: {@code topk} (int &gt;= 1, required) and
   * {@code iou_calculator} (BboxOverlaps2D only).
   *
   * @throws ConfigException naming the key for a missing or invalid parameter
   */
  public static TaskAlignedAssigner fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    TaskAlignedAssigner a = of(AssignerChecks.readTopk(c));
    AssignerChecks.readIouCalculator(c);
    return a;
  }

  /** Candidates per gt over all levels, &gt;= 1. */
  public int topk() {
    return topk;
  }

  /**
   * Refused: the task-aligned assignment needs the predicted scores and boxes.
   *
   * @throws UnsupportedOperationException always, pointing to
   *     {@link #assign(INDArray, INDArray, INDArray, INDArray, INDArray, double, double)}
   */
  @Override
  public AssignResult assign(INDArray bboxes, int[] numLevelBboxes, INDArray gtBboxes, INDArray gtBboxesIgnore,
      INDArray gtLabels) {
    throw new UnsupportedOperationException("TaskAlignedAssigner assigns from predictions: call assign(pred_scores,"
        + " decode_bboxes, anchors, gt_bboxes, gt_labels, alpha, beta)");
  }

  /**
   * Assigns with the ND4J arrays of one image. Computes in float64 when any array is DOUBLE.
   *
   * @param predScores {@code [N,C]} class probabilities (after the sigmoid)
   * @param decodeBboxes {@code [N,4]} predicted boxes in pixels
   * @param anchors {@code [N,4]} (or {@code [N,5]}) priors whose centres must lie inside the gt
   * @param gtBboxes {@code [K,4]} ground truths; K may be 0
   * @param gtLabels {@code [K]} classes in {@code [0, C)}; may be null only when K or N is 0
   * @param alpha exponent of the score, finite
   * @param beta exponent of the IoU, finite
   * @throws IllegalArgumentException for wrong shapes or dtypes, non-finite scores or boxes, invalid
   *     gt rows, labels out of range or missing, or non-finite exponents (the message names the
   *     argument)
   */
  public TaskAlignedAssignResult assign(INDArray predScores, INDArray decodeBboxes, INDArray anchors,
      INDArray gtBboxes, INDArray gtLabels, double alpha, double beta) {
    Tensors.requireRank(predScores, "pred_scores", 2);
    Tensors.requireFloating(predScores, "pred_scores");
    BoxArgs.checkBoxShape(decodeBboxes, "decode_bboxes");
    BoxArgs.checkBoxShape(anchors, "anchors");
    BoxArgs.checkBoxShape(gtBboxes, "gt_bboxes");
    int numClasses = (int) predScores.size(1);
    boolean f64 = BoxArgs.isDouble(anchors, gtBboxes) || BoxArgs.isDouble(predScores, decodeBboxes);
    int[] labels = BoxArgs.labels(gtLabels, (int) gtBboxes.size(0));
    if (f64) {
      return assign(Tensors.toDoubles(predScores), numClasses, BoxArgs.doubles(decodeBboxes, "decode_bboxes"),
          BoxArgs.doubles(anchors, "anchors"), BoxArgs.doubles(gtBboxes, "gt_bboxes"), labels, alpha, beta);
    }
    return assign(Tensors.toFloats(predScores), numClasses, BoxArgs.floats(decodeBboxes, "decode_bboxes"),
        BoxArgs.floats(anchors, "anchors"), BoxArgs.floats(gtBboxes, "gt_bboxes"), labels, alpha, beta);
  }

  /**
   * Assigns in float32. Boxes are flat {@code (x1, y1, x2, y2)} rows, scores row-major
   * {@code N*numClasses}.
   *
   * @throws IllegalArgumentException see {@link #assign(INDArray, INDArray, INDArray, INDArray, INDArray,
   *     double, double)}
   */
  public TaskAlignedAssignResult assign(float[] predScores, int numClasses, float[] decodeBboxes, float[] anchors,
      float[] gtBboxes, int[] gtLabels, double alpha, double beta) {
    BoxArgs.requireFinite(Tensors.requireNonNull(decodeBboxes, "decode_bboxes"), "decode_bboxes");
    float[] ious = OverlapKernels.pairwise(decodeBboxes, Tensors.requireNonNull(gtBboxes, "gt_bboxes"),
        OverlapMode.IOU, 1e-6f);
    return run(Tensors.widen(predScores), numClasses, Tensors.widen(decodeBboxes), Tensors.widen(anchors),
        Tensors.widen(gtBboxes), gtLabels, alpha, beta, Tensors.widen(ious), true);
  }

  /** Float64 counterpart of {@link #assign(float[], int, float[], float[], float[], int[], double, double)}. */
  public TaskAlignedAssignResult assign(double[] predScores, int numClasses, double[] decodeBboxes,
      double[] anchors, double[] gtBboxes, int[] gtLabels, double alpha, double beta) {
    BoxArgs.requireFinite(Tensors.requireNonNull(decodeBboxes, "decode_bboxes"), "decode_bboxes");
    double[] ious = OverlapKernels.pairwise(decodeBboxes, Tensors.requireNonNull(gtBboxes, "gt_bboxes"),
        OverlapMode.IOU, 1e-6);
    return run(predScores, numClasses, decodeBboxes, anchors, gtBboxes, gtLabels, alpha, beta, ious, false);
  }

  /**
   * The algorithm on doubles; with {@code f32} every arithmetic result is rounded to float32, which
   * for +, -, *, / of float32 operands is exactly PyTorch's float32 result.
   *
   * @param ious {@code [N,K]} IoU of the predicted boxes with the gts, in the working precision
   */
  private TaskAlignedAssignResult run(double[] scores, int numClasses, double[] pred, double[] anchors, double[] gt,
      int[] gtLabels, double alpha, double beta, double[] ious, boolean f32) {
    int n = BoxArgs.rows(pred, "decode_bboxes");
    int k = BoxArgs.rows(gt, "gt_bboxes");
    checkArguments(scores, numClasses, n, anchors, gt, k, gtLabels, alpha, beta);
    int[] inds = new int[n];
    double[] metricsOut = new double[n];
    if (k == 0 || n == 0) {
      return new TaskAlignedAssignResult(AssignResult.labelled(k, inds, new double[n], gtLabels), metricsOut, new double[0],
          new int[0], topk);
    }
    double[] metrics = new double[n * k];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < k; j++) {
        double s = ATSSMatcher.torchPow(scores[i * numClasses + gtLabels[j]], alpha, f32);
        double u = ATSSMatcher.torchPow(ious[i * k + j], beta, f32);
        metrics[i * k + j] = round(s * u, f32);
      }
    }
    int kk = Math.min(topk, n);
    int[] cand = topkPerGt(metrics, n, k, kk);

    double margin = round(CENTER_MARGIN, f32);
    BestGt best = new BestGt(n);
    for (int j = 0; j < k; j++) {
      for (int q = 0; q < kk; q++) {
        int p = cand[q * k + j];
        if (!(metrics[p * k + j] > 0)) {
          continue;
        }
        double cx = round(round(anchors[4 * p] + anchors[4 * p + 2], f32) / 2, f32);
        double cy = round(round(anchors[4 * p + 1] + anchors[4 * p + 3], f32) / 2, f32);
        // The IoU decides the gt (torch.max over the gts), not the metric.
        if (ATSSMatcher.centreInside(cx, cy, gt, j, margin, f32)) {
          best.offer(p, j, ious[p * k + j]);
        }
      }
    }
    best.writeInds(inds);
    for (int i = 0; i < n; i++) {
      if (best.matched(i)) {
        metricsOut[i] = metrics[i * k + best.gt(i)];
      }
    }
    return new TaskAlignedAssignResult(AssignResult.labelled(k, inds, best.values(), gtLabels), metricsOut, metrics, cand, topk);
  }

  /**
   * For each gt (column of the row-major {@code [n,k]} metrics), the {@code kk} priors with the
   * largest metric in {@code torch.topk(largest=True)} order, as {@code [kk,k]} row-major.
   */
  private static int[] topkPerGt(double[] metrics, int n, int k, int kk) {
    // torch's largest-first comparator is "a > b"; on the negated values "-a < -b" is the same test,
    // so the smallest-first replay makes the same comparisons and swaps (the values are finite).
    double[] column = new double[n];
    int[] cand = new int[kk * k];
    TorchTopk selector = new TorchTopk();
    for (int j = 0; j < k; j++) {
      for (int i = 0; i < n; i++) {
        column[i] = -metrics[i * k + j];
      }
      int[] sel = selector.smallest(column, n, kk);
      for (int q = 0; q < kk; q++) {
        cand[q * k + j] = sel[q];
      }
    }
    return cand;
  }

  private static void checkArguments(double[] scores, int numClasses, int n, double[] anchors, double[] gt, int k,
      int[] gtLabels, double alpha, double beta) {
    Tensors.requireNonNull(scores, "pred_scores");
    if (numClasses < 1 || scores.length != (long) n * numClasses) {
      throw new IllegalArgumentException("pred_scores must hold N x C = " + n + " x " + numClasses
          + " values with C >= 1 (one row per predicted box); got " + scores.length);
    }
    for (int i = 0; i < scores.length; i++) {
      // Probabilities: a NaN or a negative base under a fractional alpha would make the metric NaN.
      if (!(scores[i] >= 0 && scores[i] <= 1)) {
        throw new IllegalArgumentException("pred_scores must be probabilities in [0, 1]; element (" + i / numClasses
            + ", " + i % numClasses + ") is " + scores[i]);
      }
    }
    if (BoxArgs.rows(Tensors.requireNonNull(anchors, "anchors"), "anchors") != n) {
      throw new IllegalArgumentException("anchors must have one box per predicted box (" + n + "); got "
          + anchors.length / 4);
    }
    BoxArgs.requireFinite(anchors, "anchors");
    BoxArgs.requireValidAnnotations(gt, "gt_bboxes");
    if (!Double.isFinite(alpha) || !Double.isFinite(beta)) {
      throw new IllegalArgumentException("alpha and beta must be finite; got alpha=" + alpha + ", beta=" + beta);
    }
    BoxArgs.checkLabels(gtLabels, k);
    if (gtLabels == null) {
      if (k > 0 && n > 0) {
        throw new IllegalArgumentException("TaskAlignedAssigner needs gt_labels to pick each gt's class score;"
            + " got None");
      }
      return;
    }
    for (int j = 0; j < k; j++) {
      if (gtLabels[j] >= numClasses) {
        throw new IllegalArgumentException("gt_labels[" + j + "] must be in [0, " + numClasses
            + ") to index pred_scores; got " + gtLabels[j]);
      }
    }
  }

  @Override
  public String toString() {
    return "TaskAlignedAssigner(topk=" + topk + ")";
  }
}
