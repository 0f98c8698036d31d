package io.detkit.core.assign;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.check.Args;
import io.detkit.core.check.Limits;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.order.TorchTopk;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code ATSSAssigner} (Adaptive Training Sample Selection), including the DDOD
 * cost variant selected by {@code alpha}.
 *
 * <p>For each gt: on every pyramid level the {@code min(topk, level size)} priors whose centres are
 * closest to the gt centre become candidates (PyTorch's {@code topk} order and tie-breaking are
 * reproduced). The candidates' overlaps give a threshold {@code mean + std} (unbiased std); a
 * candidate is positive when its overlap reaches the threshold and its centre lies inside the gt
 * by more than 0.01 on every side. A prior positive for several gts takes the one with the highest
 * overlap (the lowest index on ties). Priors whose IoF with an ignore box exceeds
 * {@code ignore_iof_thr} (when &gt; 0) are moved out of reach (distance 1e8) and marked ignored
 * (-1) unless they still end up positive.
 *
 * <p>The overlap is the IoU of the prior with the gt, or, when {@code alpha} is set (DDOD),
 * {@code sigmoid(cls_score[prior, label])^(1-alpha) * iou(bbox_pred[prior], gt)^alpha}; centre
 * distances and the inside-gt test always use the priors.
 *
 * <p>{@code max_overlaps} is the winning overlap for positives and -1e8 for every other prior
 * (MMDetection's sentinel, not the real IoU). No ground truth makes every prior negative with
 * {@code max_overlaps} 0; no priors give an empty result.
 *
 * <p>Float32 inputs are computed with float32 rounding in PyTorch's operation order (including its
 * summation order for the mean), so thresholds decide as in MMDetection. Memory is linear in the
 * number of priors: overlaps are computed for candidates only.
 *
 * <p>Immutable and thread-safe; build with {@link #builder(int)} or {@link #fromConfig}.
 */
public final class ATSSAssigner implements BaseAssigner {
  /** MMDetection's "infinite" distance and "no overlap" sentinel. */
  public static final double INF = 100000000;
  private static final double EPS = 1e-6;
  private static final double CENTER_MARGIN = 0.01;

  private final int topk;
  private final Double alpha;
  private final double ignoreIofThr;

  private ATSSAssigner(Builder b) {
    this.topk = b.topk;
    this.alpha = b.alpha;
    this.ignoreIofThr = b.ignoreIofThr;
  }

  /**
   * A builder selecting {@code topk} candidates per level and gt.
   *
   * @throws IllegalArgumentException if {@code topk < 1}
   */
  public static Builder builder(int topk) {
    return new Builder(topk);
  }

  /**
   * Builds from an MMDetection config dict: {@code topk} (int, required), {@code alpha} (number or
   * None), {@code iou_calculator} (BboxOverlaps2D only), {@code ignore_iof_thr}.
   *
   * @throws ConfigException naming the key for a missing or invalid parameter
   */
  public static ATSSAssigner fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    int topk = c.getInt("topk");
    if (topk < 1) {
      throw ConfigException.at(c.pathOf("topk"), "topk must be >= 1; got " + topk);
    }
    Builder b = builder(topk);
    if (!c.isNull("alpha")) {
      b.alpha(c.getDouble("alpha"));
    }
    b.ignoreIofThr(c.getDouble("ignore_iof_thr", -1));
    AssignerChecks.readIouCalculator(c);
    return b.build();
  }

  /** Candidates per level and gt, &gt;= 1. */
  public int topk() {
    return topk;
  }

  /** The DDOD cost exponent, or null for plain ATSS. */
  public Double alpha() {
    return alpha;
  }

  /** IoF with an ignore box above which a prior is ignored; &lt;= 0 disables ignoring. */
  public double ignoreIofThr() {
    return ignoreIofThr;
  }

  // ---------------------------------------------------------------- ND4J boundary

  /**
   * {@inheritDoc}
   *
   * <p>A null {@code numLevelBboxes} treats all priors as one level. With {@code alpha} set use
   * {@link #assign(INDArray, int[], INDArray, INDArray, INDArray, INDArray, INDArray)}.
   *
   * @throws IllegalArgumentException also when this assigner has {@code alpha} set (DDOD needs
   *     classification scores and box predictions)
   */
  @Override
  public AssignResult assign(INDArray bboxes, int[] numLevelBboxes, INDArray gtBboxes, INDArray gtBboxesIgnore,
      INDArray gtLabels) {
    return assign(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, gtLabels, null, null);
  }

  /**
   * Assigns, with the DDOD inputs.
   *
   * @param clsScores {@code [N,C]} classification logits, used (and required) only when
   *     {@code alpha} is set
   * @param bboxPreds {@code [N,4]} decoded predicted boxes, used (and required) only when
   *     {@code alpha} is set
   * @throws IllegalArgumentException for wrong shapes, invalid boxes (naming the row), missing or
   *     non-finite DDOD inputs, or labels outside {@code [0, C)} in DDOD mode
   */
  public AssignResult assign(INDArray bboxes, int[] numLevelBboxes, INDArray gtBboxes, INDArray gtBboxesIgnore,
      INDArray gtLabels, INDArray clsScores, INDArray bboxPreds) {
    BoxArgs.checkBoxShape(bboxes, "bboxes");
    BoxArgs.checkBoxShape(gtBboxes, "gt_bboxes");
    if (gtBboxesIgnore != null) {
      BoxArgs.checkBoxShape(gtBboxesIgnore, "gt_bboxes_ignore");
    }
    int n = (int) bboxes.size(0);
    int[] labels = BoxArgs.labels(gtLabels, (int) gtBboxes.size(0));
    int numClasses = 0;
    boolean ddod = alpha != null;
    if (ddod) {
      requireDdodInputs(clsScores != null, bboxPreds != null);
      Tensors.requireRank(clsScores, "cls_scores", 2);
      Tensors.requireFloating(clsScores, "cls_scores");
      if (clsScores.size(0) != n) {
        throw new IllegalArgumentException("cls_scores must be [N,C] with N=" + n + "; got "
            + Tensors.shapeOf(clsScores));
      }
      numClasses = (int) clsScores.size(1);
      BoxArgs.checkBoxShape(bboxPreds, "bbox_preds");
      if (bboxPreds.size(0) != n) {
        throw new IllegalArgumentException("bbox_preds must be [N,4] with N=" + n + "; got "
            + Tensors.shapeOf(bboxPreds));
      }
    }
    boolean f64 = BoxArgs.isDouble(bboxes, gtBboxes);
    double[] b = f64 ? BoxArgs.doubles(bboxes, "bboxes") : Tensors.widen(BoxArgs.floats(bboxes, "bboxes"));
    double[] gt = f64 ? BoxArgs.doubles(gtBboxes, "gt_bboxes")
        : Tensors.widen(BoxArgs.floats(gtBboxes, "gt_bboxes"));
    double[] ign = gtBboxesIgnore == null ? null : f64 ? BoxArgs.doubles(gtBboxesIgnore, "gt_bboxes_ignore")
        : Tensors.widen(BoxArgs.floats(gtBboxesIgnore, "gt_bboxes_ignore"));
    double[] cls = null;
    double[] preds = null;
    if (ddod) {
      cls = f64 ? Tensors.toDoubles(clsScores) : Tensors.widen(Tensors.toFloats(clsScores));
      preds = f64 ? BoxArgs.doubles(bboxPreds, "bbox_preds")
          : Tensors.widen(BoxArgs.floats(bboxPreds, "bbox_preds"));
    }
    return run(b, numLevelBboxes, gt, ign, labels, cls, numClasses, preds, !f64, false).result;
  }

  // ---------------------------------------------------------------- primitive API

  /**
   * Assigns in float32 (plain ATSS). Boxes are flat {@code (x1, y1, x2, y2)} rows.
   *
   * @param bboxes {@code 4*N} prior coordinates
   * @param numLevelBboxes priors per level (summing to N), or null for one level
   * @param gtBboxes {@code 4*K} ground truths
   * @param gtBboxesIgnore {@code 4*I} ignore boxes, or null
   * @param gtLabels {@code K} labels, or null
   * @throws IllegalArgumentException see {@link BaseAssigner#assign(INDArray, int[], INDArray, INDArray,
   *     INDArray)}, and when {@code alpha} is set
   */
  public AssignResult assign(float[] bboxes, int[] numLevelBboxes, float[] gtBboxes, float[] gtBboxesIgnore,
      int[] gtLabels) {
    return assign(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, gtLabels, null, 0, null);
  }

  /**
   * Assigns in float32 with the DDOD inputs.
   *
   * @param clsScores {@code N*numClasses} logits (row-major), required when {@code alpha} is set
   * @param numClasses columns of {@code clsScores}
   * @param bboxPreds {@code 4*N} decoded predicted boxes, required when {@code alpha} is set
   */
  public AssignResult assign(float[] bboxes, int[] numLevelBboxes, float[] gtBboxes, float[] gtBboxesIgnore,
      int[] gtLabels, float[] clsScores, int numClasses, float[] bboxPreds) {
    return run(Tensors.widen(bboxes), numLevelBboxes, Tensors.widen(gtBboxes), Tensors.widen(gtBboxesIgnore),
        gtLabels, Tensors.widen(clsScores), numClasses, Tensors.widen(bboxPreds), true, false).result;
  }

  /** Float64 counterpart of {@link #assign(float[], int[], float[], float[], int[])}. */
  public AssignResult assign(double[] bboxes, int[] numLevelBboxes, double[] gtBboxes, double[] gtBboxesIgnore,
      int[] gtLabels) {
    return assign(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, gtLabels, null, 0, null);
  }

  /** Float64 counterpart of {@link #assign(float[], int[], float[], float[], int[], float[], int, float[])}. */
  public AssignResult assign(double[] bboxes, int[] numLevelBboxes, double[] gtBboxes, double[] gtBboxesIgnore,
      int[] gtLabels, double[] clsScores, int numClasses, double[] bboxPreds) {
    return run(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, gtLabels, clsScores, numClasses, bboxPreds, false,
        false).result;
  }

  /**
   * The candidate priors (global indices), {@code [sum_k, K]} row-major: for each level in order,
   * the {@code min(topk, level size)} priors closest to each gt centre in PyTorch's topk order
   * (MMDetection's {@code candidate_idxs} before offsetting by gt). Empty when there are no gts or
   * no priors.
   */
  public int[] topkCandidates(float[] bboxes, int[] numLevelBboxes, float[] gtBboxes, float[] gtBboxesIgnore) {
    return run(Tensors.widen(bboxes), numLevelBboxes, Tensors.widen(gtBboxes), Tensors.widen(gtBboxesIgnore), null,
        null, 0, null, true, true).candidates;
  }

  /** Float64 counterpart of {@link #topkCandidates(float[], int[], float[], float[])}. */
  public int[] topkCandidates(double[] bboxes, int[] numLevelBboxes, double[] gtBboxes, double[] gtBboxesIgnore) {
    return run(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, null, null, 0, null, false, true).candidates;
  }

  private void requireDdodInputs(boolean hasScores, boolean hasPreds) {
    if (!hasScores || !hasPreds) {
      throw new IllegalArgumentException("ATSSAssigner with alpha=" + alpha
          + " (DDOD cost) needs cls_scores and bbox_preds; got cls_scores=" + (hasScores ? "given" : "None")
          + ", bbox_preds=" + (hasPreds ? "given" : "None"));
    }
  }

  // ---------------------------------------------------------------- the algorithm

  private record Outcome(AssignResult result, int[] candidates) {}

  /**
   * All inputs as doubles; with {@code f32} every arithmetic result is rounded to float32, which
   * for +, -, *, / and sqrt of float32 operands gives exactly the float32 result.
   */
  private Outcome run(double[] b, int[] numLevelBboxes, double[] gt, double[] ign, int[] gtLabels, double[] cls,
      int numClasses, double[] preds, boolean f32, boolean candidatesOnly) {
    int n = BoxArgs.rows(b, "bboxes");
    int k = BoxArgs.rows(gt, "gt_bboxes");
    int[] levels = AssignerChecks.checkLevels(numLevelBboxes, n);
    BoxArgs.checkLabels(gtLabels, k);
    BoxArgs.requireFinite(b, "bboxes");
    BoxArgs.requireValidAnnotations(gt, "gt_bboxes");
    double[] ignore = BoxArgs.orEmpty(ign);
    BoxArgs.rows(ignore, "gt_bboxes_ignore");
    BoxArgs.requireValidAnnotations(ignore, "gt_bboxes_ignore");
    boolean ddod = alpha != null && !candidatesOnly;
    if (ddod) {
      requireDdodInputs(cls != null, preds != null);
      if (numClasses < 1 || cls.length != (long) n * numClasses) {
        throw new IllegalArgumentException("cls_scores must hold N x C = " + n + " x " + numClasses
            + " values with C >= 1; got " + cls.length);
      }
      Tensors.requireFinite(cls, "cls_scores");
      if (BoxArgs.rows(preds, "bbox_preds") != n) {
        throw new IllegalArgumentException("bbox_preds must have one box per prior (" + n + "); got "
            + preds.length / 4);
      }
      BoxArgs.requireFinite(preds, "bbox_preds");
      // A NaN logit makes its candidate's cost NaN, which silently drops every positive of that gt.
      Tensors.requireFinite(cls, "cls_scores");
      if (gtLabels == null) {
        throw new IllegalArgumentException("ATSSAssigner with alpha (DDOD cost) needs gt_labels to pick scores");
      }
      for (int j = 0; j < k; j++) {
        if (gtLabels[j] < 0 || gtLabels[j] >= numClasses) {
          throw new IllegalArgumentException("gt_labels[" + j + "] must be in [0, " + numClasses
              + ") to index cls_scores; got " + gtLabels[j]);
        }
      }
    }

    int[] inds = new int[n];
    if (k == 0 || n == 0) {
      return new Outcome(withLabels(k, inds, new double[n], gtLabels), new int[0]);
    }

    double[] bcx = new double[n];
    double[] bcy = new double[n];
    for (int i = 0; i < n; i++) {
      bcx[i] = round(round(b[4 * i] + b[4 * i + 2], f32) / 2, f32);
      bcy[i] = round(round(b[4 * i + 1] + b[4 * i + 3], f32) / 2, f32);
    }
    double[] gcx = new double[k];
    double[] gcy = new double[k];
    for (int j = 0; j < k; j++) {
      gcx[j] = round(round(gt[4 * j] + gt[4 * j + 2], f32) / 2, f32);
      gcy[j] = round(round(gt[4 * j + 1] + gt[4 * j + 3], f32) / 2, f32);
    }

    boolean[] ignored = new boolean[n];
    if (ignoreIofThr > 0 && ignore.length > 0) {
      double[] best = maxIofOverIgnore(b, n, ignore, f32);
      double thr = round(ignoreIofThr, f32);
      for (int i = 0; i < n; i++) {
        if (best[i] > thr) {
          ignored[i] = true;
          inds[i] = -1;
        }
      }
    }

    // Candidate selection, level by level and gt by gt, on one distance buffer.
    int maxLevel = 0;
    int m = 0;
    for (int size : levels) {
      maxLevel = Math.max(maxLevel, size);
      m += Math.min(topk, size);
    }
    int[] cand = new int[Limits.arrayLength("ATSS candidate indices (candidates per gt x gts)", m, k)];
    double[] dist = new double[maxLevel];
    TorchTopk selector = new TorchTopk();
    int start = 0;
    int row = 0;
    for (int size : levels) {
      int kk = Math.min(topk, size);
      for (int j = 0; j < k; j++) {
        for (int i = 0; i < size; i++) {
          int p = start + i;
          if (ignored[p]) {
            dist[i] = INF;
          } else {
            double dx = round(bcx[p] - gcx[j], f32);
            double dy = round(bcy[p] - gcy[j], f32);
            dist[i] = round(Math.sqrt(round(round(dx * dx, f32) + round(dy * dy, f32), f32)), f32);
          }
        }
        int[] sel = selector.smallest(dist, size, kk);
        for (int q = 0; q < kk; q++) {
          cand[(row + q) * k + j] = sel[q] + start;
        }
      }
      row += kk;
      start += size;
    }
    if (candidatesOnly) {
      return new Outcome(null, cand);
    }

    double[] candOv = candidateOverlaps(b, gt, cand, m, k, gtLabels, cls, numClasses, preds, f32);
    TorchStats stats = new TorchStats(f32);
    double margin = round(CENTER_MARGIN, f32);
    double[] best = new double[n];
    Arrays.fill(best, -INF);
    int[] bestGt = new int[n];
    for (int j = 0; j < k; j++) {
      double mean = stats.columnMean(candOv, m, k, j);
      double std = stats.columnStd(candOv, m, k, j);
      double thr = round(mean + std, f32);
      double gx1 = gt[4 * j];
      double gy1 = gt[4 * j + 1];
      double gx2 = gt[4 * j + 2];
      double gy2 = gt[4 * j + 3];
      for (int q = 0; q < m; q++) {
        double ov = candOv[q * k + j];
        if (!(ov >= thr)) {
          continue;
        }
        int p = cand[q * k + j];
        double l = round(bcx[p] - gx1, f32);
        double t = round(bcy[p] - gy1, f32);
        double rr = round(gx2 - bcx[p], f32);
        double bb = round(gy2 - bcy[p], f32);
        if (!(Math.min(Math.min(l, t), Math.min(rr, bb)) > margin)) {
          continue;
        }
        // Gts are visited in index order, so a strict comparison keeps the first on ties.
        if (ov > best[p]) {
          best[p] = ov;
          bestGt[p] = j;
        }
      }
    }
    for (int i = 0; i < n; i++) {
      if (best[i] != -INF) {
        inds[i] = bestGt[i] + 1;
      }
    }
    return new Outcome(withLabels(k, inds, best, gtLabels), cand);
  }

  private static AssignResult withLabels(int k, int[] inds, double[] maxOverlaps, int[] gtLabels) {
    int[] labels = null;
    if (gtLabels != null) {
      labels = new int[inds.length];
      for (int i = 0; i < inds.length; i++) {
        labels[i] = inds[i] > 0 ? gtLabels[inds[i] - 1] : -1;
      }
    }
    return new AssignResult(k, inds, maxOverlaps, labels);
  }

  /** Per prior, the largest IoF (over the prior's area) with any ignore box. */
  private static double[] maxIofOverIgnore(double[] b, int n, double[] ignore, boolean f32) {
    return IgnoreOverlaps.overPriors(b, n, ignore, Precision.of(f32));
  }

  /**
   * The overlaps of the {@code [m, k]} candidates with their gts: IoU of prior and gt, or the DDOD
   * cost from the classification score and the predicted box.
   */
  private double[] candidateOverlaps(double[] b, double[] gt, int[] cand, int m, int k, int[] gtLabels,
      double[] cls, int numClasses, double[] preds, boolean f32) {
    boolean ddod = alpha != null;
    double[] boxes = ddod ? preds : b;
    double[] out = new double[m * k];
    double[] iou = new double[m];
    double[] rows = new double[4 * m];
    double[] g = new double[4];
    for (int j = 0; j < k; j++) {
      for (int q = 0; q < m; q++) {
        System.arraycopy(boxes, 4 * cand[q * k + j], rows, 4 * q, 4);
      }
      System.arraycopy(gt, 4 * j, g, 0, 4);
      OverlapKernels.pairwise(rows, 0, m, g, OverlapMode.IOU, EPS, Precision.of(f32), iou);
      for (int q = 0; q < m; q++) {
        double v = iou[q];
        if (ddod) {
          int p = cand[q * k + j];
          double s = cls[p * numClasses + gtLabels[j]];
          double sig = round(1 / round(1 + round(Math.exp(-s), f32), f32), f32);
          v = round(torchPow(sig, 1 - alpha, f32) * torchPow(v, alpha, f32), f32);
        }
        out[q * k + j] = v;
      }
    }
    return out;
  }

  /**
   * {@code tensor ** exponent} as PyTorch evaluates it on the CPU: exponents 0, 1, 0.5, -0.5 and -1
   * (checked on the double) and 2, 3, -2 (checked after rounding to the tensor's precision) take
   * exact shortcuts; anything else is a general power with the exponent in the tensor's precision.
   */
  static double torchPow(double base, double exponent, boolean f32) {
    if (exponent == 0) {
      return 1;
    }
    if (exponent == 1) {
      return base;
    }
    if (exponent == 0.5) {
      return round(Math.sqrt(base), f32);
    }
    if (exponent == -0.5) {
      return round(1 / round(Math.sqrt(base), f32), f32);
    }
    if (exponent == -1) {
      return round(1 / base, f32);
    }
    double e = round(exponent, f32);
    if (e == 2) {
      return round(base * base, f32);
    }
    if (e == 3) {
      return round(round(base * base, f32) * base, f32);
    }
    if (e == -2) {
      return round(1 / round(base * base, f32), f32);
    }
    return round(Math.pow(base, e), f32);
  }

  @Override
  public String toString() {
    return "ATSSAssigner(topk=" + topk + ", alpha=" + (alpha == null ? "None" : alpha) + ", ignore_iof_thr="
        + ignoreIofThr + ")";
  }

  /** Builder for {@link ATSSAssigner}; defaults are MMDetection's ({@code alpha=None}, no ignoring). */
  public static final class Builder {
    private final int topk;
    private Double alpha;
    private double ignoreIofThr = -1;

    private Builder(int topk) {
      if (topk < 1) {
        throw new IllegalArgumentException("topk must be >= 1; got " + topk);
      }
      this.topk = topk;
    }

    /**
     * Switches to the DDOD cost with this exponent on the IoU; null for plain ATSS.
     *
     * @throws IllegalArgumentException if {@code alpha} is outside [0, 1] (NaN included)
     */
    public Builder alpha(Double alpha) {
      // The DDOD cost sigmoid^(1 - alpha) * iou^alpha: outside [0, 1] one factor's exponent is
      // negative, so a zero IoU or a saturated score gives Inf * 0 = NaN and silently loses positives.
      if (alpha != null) {
        Args.inRange("alpha", alpha, 0, 1);
      }
      this.alpha = alpha;
      return this;
    }

    /**
     * IoF with an ignore box above which a prior is ignored; &lt;= 0 disables ignoring.
     *
     * @throws IllegalArgumentException if {@code v} is NaN
     */
    public Builder ignoreIofThr(double v) {
      if (Double.isNaN(v)) {
        throw new IllegalArgumentException("ignore_iof_thr must be a number; got NaN");
      }
      this.ignoreIofThr = v;
      return this;
    }

    /** The assigner; every value was checked by its setter. */
    public ATSSAssigner build() {
      return new ATSSAssigner(this);
    }
  }
}
