package io.detkit.core.assign;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.NotNaN;
import io.detkit.core.config.ParamChecks.UnitInterval;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
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
 * number of priors: overlaps are computed for candidates only. From 65,536 prior x gt pairs the
 * candidate selection runs gts in parallel on the common fork-join pool; each gt's candidates are
 * computed alone, so the result does not depend on the number of threads.
 *
 * <p>Immutable and thread-safe; build from {@link Params} ({@code new ATSSAssigner(Params.of(9).withAlpha(0.8))})
 * or with {@link #fromConfig}.
 */
public final class ATSSAssigner extends ParamAssigner<ATSSAssigner.Params> {
  /** MMDetection's "infinite" distance and "no overlap" sentinel. */
  public static final double INF = ATSSMatcher.INF;

  /**
   * The assigner's parameters, each checked here once (for {@link #fromConfig}, {@link #of} and
   * every wither): {@code topk} &gt;= 1, {@code alpha} null (plain ATSS) or in [0, 1] (DDOD; outside it
   * one factor of {@code sigmoid^(1 - alpha) * iou^alpha} has a negative exponent, so a zero IoU or a
   * saturated score gives Inf * 0 = NaN and silently loses positives), {@code ignoreIofThr} a number
   * (&lt;= 0 disables ignoring). The withers ({@code withAlpha}, {@code withIgnoreIofThr}) are generated.
   */
  @RecordBuilder
  public record Params(int topk, @UnitInterval Double alpha, @NotNaN double ignoreIofThr) implements ATSSAssignerParamsBuilder.With {
    /**
     * {@code topk} candidates per level and gt, MMDetection's defaults otherwise ({@code alpha=None},
     * no ignoring).
     *
     * @throws IllegalArgumentException if {@code topk < 1}
     */
    public static Params of(int topk) {
      return new Params(topk, null, -1);
    }

    /**
     * {@code topk} by the rule every top-k assigner shares ({@code AssignerChecks.requireTopk}, also
     * its config reader's), the other ranges declared on the components ({@link ParamChecks}).
     */
    public Params {
      AssignerChecks.requireTopk(topk);
      ParamChecks.check(Params.class, topk, alpha, ignoreIofThr);
    }
  }

  private final ATSSMatcher matcher;

  /** The assigner with {@code params}. */
  public ATSSAssigner(Params params) {
    super(params);
    this.matcher = new ATSSMatcher(params.topk(), params.alpha(), params.ignoreIofThr());
  }

  /**
   * Builds from an MMDetection config dict: {@code topk} (int, required), {@code alpha} (number or
   * None), {@code iou_calculator} (BboxOverlaps2D only), {@code ignore_iof_thr}.
   *
   * @throws ConfigException naming the key for a missing or invalid parameter
   */
  public static ATSSAssigner fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    Params p = new Params(AssignerChecks.readTopk(c), c.isNull("alpha") ? null : c.getDouble("alpha"),
        c.getDouble("ignore_iof_thr", -1));
    AssignerChecks.readIouCalculator(c);
    return new ATSSAssigner(p);
  }

  // ---------------------------------------------------------------- ND4J boundary

  /** {@code true}: ATSS takes its {@code topk} candidates on each level. */
  @Override
  public boolean usesLevelCounts() {
    return true;
  }

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
    BoxArgs.Inputs in = BoxArgs.read(bboxes, gtBboxes, gtBboxesIgnore, gtLabels);
    int n = (int) bboxes.size(0);
    boolean f64 = in.precision() == Precision.F64;
    int numClasses = 0;
    double[] cls = null;
    double[] preds = null;
    if (params().alpha() != null) {
      matcher.requireDdodInputs(clsScores != null, bboxPreds != null);
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
      cls = f64 ? Tensors.toDoubles(clsScores) : Tensors.widen(Tensors.toFloats(clsScores));
      preds = BoxArgs.values(bboxPreds, "bbox_preds", in.precision());
    }
    return matcher.run(in.bboxes(), numLevelBboxes, in.gtBboxes(), in.gtBboxesIgnore(), in.gtLabels(), cls,
        numClasses, preds, !f64, false).result();
  }

  /**
   * The priors read and prepared once ({@link ATSSPriors}), for assignments that share them:
   * {@code bboxes} {@code [N,4|5]} in the precision of their dtype (DOUBLE: float64, any other
   * floating type: float32), a null {@code numLevelBboxes} one level.
   *
   * @throws IllegalArgumentException for a wrong shape or dtype, a non-finite prior (naming the
   *     row), or level counts that are negative or do not add up to N
   */
  public static ATSSPriors prepare(INDArray bboxes, int[] numLevelBboxes) {
    BoxArgs.checkBoxShape(bboxes, "bboxes");
    Precision p = BoxArgs.isDouble(bboxes, null) ? Precision.F64 : Precision.F32;
    double[] b = BoxArgs.values(bboxes, "bboxes", p);
    int[] levels = AssignerChecks.checkLevels(numLevelBboxes == null ? null : numLevelBboxes.clone(), b.length / 4);
    BoxArgs.requireFinite(b, "bboxes", p);
    return new ATSSPriors(p, b, levels);
  }

  /**
   * {@link #assign(INDArray, int[], INDArray, INDArray, INDArray)} over prepared priors: the same
   * result, bit for bit, as assigning the array they were prepared from with their level counts.
   * DOUBLE gts make it compute in float64, as they would with the array.
   *
   * @throws IllegalArgumentException as that method (the priors were checked when prepared), and
   *     when this assigner has {@code alpha} set (prepared priors serve plain ATSS only)
   */
  public AssignResult assign(ATSSPriors priors, INDArray gtBboxes, INDArray gtBboxesIgnore, INDArray gtLabels) {
    Tensors.requireNonNull(priors, "priors");
    if (params().alpha() != null) {
      // This overload has no place for DDOD's inputs: say so rather than ask for them.
      throw new IllegalArgumentException("prepared priors support plain ATSS only (alpha=None); this assigner has "
          + "alpha=" + params().alpha() + ": assign the priors' array with cls_scores and bbox_preds instead");
    }
    BoxArgs.checkBoxShape(gtBboxes, "gt_bboxes");
    if (gtBboxesIgnore != null) {
      BoxArgs.checkBoxShape(gtBboxesIgnore, "gt_bboxes_ignore");
    }
    int[] labels = BoxArgs.labels(gtLabels, (int) gtBboxes.size(0));
    ATSSPriors in = BoxArgs.isDouble(gtBboxes, null) ? priors.inF64() : priors;
    Precision p = in.precision();
    return matcher.run(in, BoxArgs.values(gtBboxes, "gt_bboxes", p),
        gtBboxesIgnore == null ? null : BoxArgs.values(gtBboxesIgnore, "gt_bboxes_ignore", p), labels, null, 0, null)
        .result();
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
    return matcher.run(Tensors.widen(bboxes), numLevelBboxes, Tensors.widen(gtBboxes), Tensors.widen(gtBboxesIgnore),
        gtLabels, Tensors.widen(clsScores), numClasses, Tensors.widen(bboxPreds), true, false).result();
  }

  /** Float64 counterpart of {@link #assign(float[], int[], float[], float[], int[])}. */
  public AssignResult assign(double[] bboxes, int[] numLevelBboxes, double[] gtBboxes, double[] gtBboxesIgnore,
      int[] gtLabels) {
    return assign(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, gtLabels, null, 0, null);
  }

  /** Float64 counterpart of {@link #assign(float[], int[], float[], float[], int[], float[], int, float[])}. */
  public AssignResult assign(double[] bboxes, int[] numLevelBboxes, double[] gtBboxes, double[] gtBboxesIgnore,
      int[] gtLabels, double[] clsScores, int numClasses, double[] bboxPreds) {
    return matcher.run(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, gtLabels, clsScores, numClasses, bboxPreds,
        false, false).result();
  }

  /**
   * The candidate priors (global indices), {@code [sum_k, K]} row-major: for each level in order,
   * the {@code min(topk, level size)} priors closest to each gt centre in PyTorch's topk order
   * (MMDetection's {@code candidate_idxs} before offsetting by gt). Empty when there are no gts or
   * no priors.
   */
  public int[] topkCandidates(float[] bboxes, int[] numLevelBboxes, float[] gtBboxes, float[] gtBboxesIgnore) {
    return matcher.run(Tensors.widen(bboxes), numLevelBboxes, Tensors.widen(gtBboxes), Tensors.widen(gtBboxesIgnore), null,
        null, 0, null, true, true).candidates();
  }

  /** Float64 counterpart of {@link #topkCandidates(float[], int[], float[], float[])}. */
  public int[] topkCandidates(double[] bboxes, int[] numLevelBboxes, double[] gtBboxes, double[] gtBboxesIgnore) {
    return matcher.run(bboxes, numLevelBboxes, gtBboxes, gtBboxesIgnore, null, null, 0, null, false, true).candidates();
  }

  @Override
  public String toString() {
    Params p = params();
    return "ATSSAssigner(topk=" + p.topk() + ", alpha=" + (p.alpha() == null ? "None" : p.alpha())
        + ", ignore_iof_thr=" + p.ignoreIofThr() + ")";
  }
}
