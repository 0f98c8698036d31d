package io.detkit.core.assign;

import io.detkit.core.check.Args;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.NotNaN;
import io.detkit.core.config.PyTuple;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code MaxIoUAssigner}: each prior goes to the ground truth it overlaps most, if
 * that IoU is high enough, with optional low-quality matches that give every ground truth its
 * best prior.
 *
 * <p>With overlaps {@code iou(gt [K], bboxes [N])}:
 * <ol>
 *   <li>priors whose IoF with an ignore box exceeds {@code ignore_iof_thr} (when it is &gt; 0) get
 *       overlap -1 with every gt, which leaves them ignored ({@code gt_inds = -1});
 *   <li>every prior starts ignored (-1); those whose best IoU lies in the negative range become
 *       negative (0): {@code [0, neg_iou_thr)} for a float threshold, {@code [lo, hi)} for a tuple.
 *       MMDetection recognises only a Python float or a tuple here: an int (or a list) assigns no
 *       negatives at all, and {@link #fromConfig} reproduces that;
 *   <li>priors with best IoU &gt;= {@code pos_iou_thr} are positive for their best gt (the first
 *       one on ties);
 *   <li>with {@code match_low_quality}, gt by gt in index order, a gt whose best IoU is &gt;=
 *       {@code min_pos_iou} takes its best prior, or with {@code gt_max_assign_all} every prior
 *       that reaches that best IoU; later gts overwrite earlier ones. With {@code min_pos_iou=0} a
 *       gt that overlaps nothing takes every prior with IoU exactly 0 to it.
 * </ol>
 * {@code max_overlaps} is each prior's best IoU (-1 for ignored priors). No ground truth makes every
 * prior negative (ignore boxes are not consulted); no priors give an empty result.
 *
 * <p>In float32 thresholds are rounded to float32 before comparing, as PyTorch does when it
 * compares a float tensor with a Python number. {@code gpu_assign_thr} is accepted and has no
 * effect. Memory: linear in the priors; the {@code K x N} overlap matrix is reduced block by block
 * ({@link MaxOverlaps}) and never held.
 *
 * <p>Immutable and thread-safe; build from {@link Params} ({@code new MaxIoUAssigner(Params.of(0.5,
 * 0.4).withMinPosIou(0))}) or with {@link #fromConfig}.
 */
public final class MaxIoUAssigner extends ParamAssigner<MaxIoUAssigner.Params> {

  /** How {@code neg_iou_thr} selects negatives. */
  public enum NegativeRule {
    /** {@code 0 <= max_iou < neg_iou_thr} (a float threshold). */
    BELOW,
    /** {@code lo <= max_iou < hi} (a tuple). */
    RANGE,
    /** No negatives: MMDetection's behaviour for an int or list {@code neg_iou_thr}. */
    NONE
  }

  /**
   * The assigner's parameters (MMDetection's keys in camelCase), checked here once for
   * {@link #fromConfig}, {@link #of} and every wither: {@code negIouLow}/{@code negIouHigh} bound the
   * negative range ({@code [0, thr)} for {@link NegativeRule#BELOW}, NaN for {@link NegativeRule#NONE}).
   * The withers of single parameters ({@code withMinPosIou}, {@code withMatchLowQuality}, ...) are
   * generated; {@link #withNegIouRange} and {@link #withoutNegatives} change the negative rule.
   *
   * @throws IllegalArgumentException for a NaN threshold, a missing rule, or a NaN bound of the
   *     negative range
   */
  @RecordBuilder
  public record Params(@NotNaN double posIouThr, NegativeRule negativeRule, double negIouLow, double negIouHigh,
      @NotNaN double minPosIou, boolean gtMaxAssignAll, @NotNaN double ignoreIofThr, boolean ignoreWrtCandidates,
      boolean matchLowQuality, long gpuAssignThr) implements MaxIoUAssignerParamsBuilder.With {
    /**
     * Positives from {@code posIouThr}, negatives below the float {@code negIouThr}, MMDetection's
     * defaults otherwise ({@code min_pos_iou=0}, {@code gt_max_assign_all}, no ignoring,
     * {@code ignore_wrt_candidates}, {@code match_low_quality}, {@code gpu_assign_thr=-1}).
     *
     * @throws IllegalArgumentException for a NaN threshold
     */
    public static Params of(double posIouThr, double negIouThr) {
      return new Params(posIouThr, NegativeRule.BELOW, 0.0, negIouThr, 0.0, true, -1, true, true, -1);
    }

    /** Negatives have best IoU in {@code [low, high)} (MMDetection's tuple {@code neg_iou_thr}). */
    public Params withNegIouRange(double low, double high) {
      return with(b -> b.negativeRule(NegativeRule.RANGE).negIouLow(low).negIouHigh(high));
    }

    /** No prior becomes negative (MMDetection with an int or list {@code neg_iou_thr}). */
    public Params withoutNegatives() {
      return with(b -> b.negativeRule(NegativeRule.NONE).negIouLow(Double.NaN).negIouHigh(Double.NaN));
    }

    /**
     * The single-value ranges declared on the components ({@link ParamChecks}); the negative
     * thresholds by hand, because which of them must be set depends on {@code negativeRule}.
     */
    public Params {
      ParamChecks.check(Params.class, posIouThr, negativeRule, negIouLow, negIouHigh, minPosIou, gtMaxAssignAll,
          ignoreIofThr, ignoreWrtCandidates, matchLowQuality, gpuAssignThr);
      if (negativeRule == null) {
        throw new ParamChecks.BadParameter("neg_iou_thr",
            "neg_iou_thr must be set (a threshold, a (low, high) range, or none)");
      }
      if (negativeRule != NegativeRule.NONE) {
        // As BadParameter, like the annotated ranges: a config error is reported at neg_iou_thr's path.
        ParamChecks.param("neg_iou_thr", () -> Args.notNaN("neg_iou_thr[0]", negIouLow));
        ParamChecks.param("neg_iou_thr",
            () -> Args.notNaN(negativeRule == NegativeRule.BELOW ? "neg_iou_thr" : "neg_iou_thr[1]", negIouHigh));
      }
    }
  }

  private final MaxIoUMatcher matcher;

  /** The assigner with {@code params}. */
  public MaxIoUAssigner(Params params) {
    super(params);
    boolean negatives = params.negativeRule() != NegativeRule.NONE;
    this.matcher = new MaxIoUMatcher(params.posIouThr(), negatives ? params.negIouLow() : Double.NaN,
        negatives ? params.negIouHigh() : Double.NaN, params.minPosIou(), params.gtMaxAssignAll(),
        params.matchLowQuality(), params.ignoreIofThr(), params.ignoreWrtCandidates());
  }

  /**
   * Builds from an MMDetection config dict (the {@code type} key is not checked here; use
   * {@link io.detkit.core.CoreRegistries#BBOX_ASSIGNERS}).
   *
   * @throws ConfigException naming the key for a missing or ill-typed parameter, a tuple
   *     {@code neg_iou_thr} without exactly two numbers, or an unsupported {@code iou_calculator}
   */
  public static MaxIoUAssigner fromConfig(Config c) {
    Tensors.requireNonNull(c, "config");
    // Required, read in MMDetection's order: pos_iou_thr, then neg_iou_thr.
    Params p = Params.of(c.getDouble("pos_iou_thr"), 0.0);
    Object neg = c.get("neg_iou_thr");
    if (!c.has("neg_iou_thr")) {
      c.getDouble("neg_iou_thr"); // throws: missing required key
    }
    if (neg instanceof Double d) {
      p = p.withNegIouHigh(d);
    } else if (neg instanceof PyTuple t) {
      if (t.size() != 2 || !(t.get(0) instanceof Long || t.get(0) instanceof Double)
          || !(t.get(1) instanceof Long || t.get(1) instanceof Double)) {
        throw ConfigException.at(c.pathOf("neg_iou_thr"), "a tuple neg_iou_thr must be (low, high) numbers; got "
            + Config.describe(neg));
      }
      p = p.withNegIouRange(((Number) t.get(0)).doubleValue(), ((Number) t.get(1)).doubleValue());
    } else if (neg == null || neg instanceof Long || neg instanceof Boolean || neg instanceof List) {
      // MMDetection tests isinstance(float) and isinstance(tuple) only; anything else selects no negatives.
      p = p.withoutNegatives();
    } else {
      throw ConfigException.at(c.pathOf("neg_iou_thr"), "expected a float or a (low, high) tuple, got "
          + Config.describe(neg));
    }
    p = p.with(b -> b.minPosIou(c.getDouble("min_pos_iou", 0.0))
        .gtMaxAssignAll(c.getBoolean("gt_max_assign_all", true))
        .ignoreIofThr(c.getDouble("ignore_iof_thr", -1))
        .ignoreWrtCandidates(c.getBoolean("ignore_wrt_candidates", true))
        .matchLowQuality(c.getBoolean("match_low_quality", true))
        .gpuAssignThr(c.isNull("gpu_assign_thr") ? -1 : c.getLong("gpu_assign_thr")));
    AssignerChecks.readIouCalculator(c);
    return new MaxIoUAssigner(p);
  }

  // ---------------------------------------------------------------- ND4J boundary

  /**
   * {@inheritDoc}
   *
   * <p>{@code numLevelBboxes} is only checked against N: this assigner does not work per level.
   */
  @Override
  public AssignResult assign(INDArray bboxes, int[] numLevelBboxes, INDArray gtBboxes, INDArray gtBboxesIgnore,
      INDArray gtLabels) {
    BoxArgs.checkAssignShapes(bboxes, gtBboxes, gtBboxesIgnore);
    AssignerChecks.checkLevels(numLevelBboxes, (int) bboxes.size(0));
    BoxArgs.Inputs in = BoxArgs.read(bboxes, gtBboxes, gtBboxesIgnore, gtLabels);
    double[] ignore = in.gtBboxesIgnore() == null ? new double[0] : in.gtBboxesIgnore();
    return matcher.assignBoxes(in.bboxes(), in.gtBboxes(), ignore, in.gtLabels(), in.precision());
  }

  /**
   * MMDetection's {@code assign_wrt_overlaps}: assigns from a precomputed {@code [K,N]} overlap
   * matrix (gts by priors; -1 marks ignored priors).
   *
   * @param overlaps {@code [K,N]} floating-point, finite; computed in float64 when DOUBLE, else in
   *     float32
   * @param gtLabels {@code [K]} whole class indices &gt;= 0, or null
   * @throws IllegalArgumentException if {@code overlaps} is null, not a floating-point matrix or not
   *     finite, or the labels do not match K
   */
  public AssignResult assignWrtOverlaps(INDArray overlaps, INDArray gtLabels) {
    Tensors.requireRank(overlaps, "overlaps", 2);
    Tensors.requireFloating(overlaps, "overlaps");
    int k = (int) overlaps.size(0);
    int n = (int) overlaps.size(1);
    int[] labels = BoxArgs.labels(gtLabels, k);
    if (overlaps.dataType() == DataType.DOUBLE) {
      return assignWrtOverlaps(Tensors.toDoubles(overlaps), k, n, labels);
    }
    return assignWrtOverlaps(Tensors.toFloats(overlaps), k, n, labels);
  }

  // ---------------------------------------------------------------- primitive API

  /**
   * Assigns in float32. Boxes are flat {@code (x1, y1, x2, y2)} rows ({@code 4*i+k}).
   *
   * @param bboxes {@code 4*N} prior coordinates
   * @param gtBboxes {@code 4*K} ground-truth coordinates
   * @param gtBboxesIgnore {@code 4*I} ignore boxes, or null
   * @param gtLabels {@code K} labels, or null
   * @throws IllegalArgumentException for a length that is not a multiple of 4, non-finite or
   *     inverted ground-truth/ignore rows (naming the row), non-finite priors, or a label count
   *     different from K
   */
  public AssignResult assign(float[] bboxes, float[] gtBboxes, float[] gtBboxesIgnore, int[] gtLabels) {
    BoxArgs.rows(bboxes, "bboxes");
    BoxArgs.rows(gtBboxes, "gt_bboxes");
    BoxArgs.checkLabels(gtLabels, gtBboxes.length / 4);
    BoxArgs.rows(BoxArgs.orEmpty(gtBboxesIgnore), "gt_bboxes_ignore");
    return matcher.assignBoxes(Tensors.widen(bboxes), Tensors.widen(gtBboxes),
        Tensors.widen(BoxArgs.orEmpty(gtBboxesIgnore)), gtLabels, Precision.F32);
  }

  /** Float64 counterpart of {@link #assign(float[], float[], float[], int[])}. */
  public AssignResult assign(double[] bboxes, double[] gtBboxes, double[] gtBboxesIgnore, int[] gtLabels) {
    BoxArgs.rows(bboxes, "bboxes");
    BoxArgs.rows(gtBboxes, "gt_bboxes");
    BoxArgs.checkLabels(gtLabels, gtBboxes.length / 4);
    BoxArgs.rows(BoxArgs.orEmpty(gtBboxesIgnore), "gt_bboxes_ignore");
    return matcher.assignBoxes(bboxes, gtBboxes, BoxArgs.orEmpty(gtBboxesIgnore), gtLabels, Precision.F64);
  }

  /**
   * The {@code [K,N]} overlap matrix this assigner works on (row-major, gt by prior): IoU of each
   * gt with each prior, with -1 in the columns of priors ignored through {@code gtBboxesIgnore}.
   * {@link #assign} reduces it block by block without building it; this gives it whole.
   *
   * @param bboxes {@code 4*N} finite prior coordinates (x1, y1, x2, y2)
   * @param gtBboxes {@code 4*K} finite ground truths with x1 &lt;= x2, y1 &lt;= y2
   * @param gtBboxesIgnore {@code 4*I} ignore boxes like the ground truths, or null
   * @return {@code K*N} float32 overlaps
   * @throws IllegalArgumentException as {@link #assign(float[], float[], float[], int[])}
   */
  public float[] overlaps(float[] bboxes, float[] gtBboxes, float[] gtBboxesIgnore) {
    BoxArgs.rows(bboxes, "bboxes");
    BoxArgs.rows(gtBboxes, "gt_bboxes");
    BoxArgs.rows(BoxArgs.orEmpty(gtBboxesIgnore), "gt_bboxes_ignore");
    return Tensors.narrow(matcher.matrix(Tensors.widen(bboxes), Tensors.widen(gtBboxes),
        Tensors.widen(BoxArgs.orEmpty(gtBboxesIgnore)), Precision.F32));
  }

  /** Float64 counterpart of {@link #overlaps(float[], float[], float[])}. */
  public double[] overlaps(double[] bboxes, double[] gtBboxes, double[] gtBboxesIgnore) {
    BoxArgs.rows(bboxes, "bboxes");
    BoxArgs.rows(gtBboxes, "gt_bboxes");
    BoxArgs.rows(BoxArgs.orEmpty(gtBboxesIgnore), "gt_bboxes_ignore");
    return matcher.matrix(bboxes, gtBboxes, BoxArgs.orEmpty(gtBboxesIgnore), Precision.F64);
  }

  /**
   * Assigns from a float32 {@code [K,N]} overlap matrix (row-major, gt by prior), MMDetection's
   * {@code assign_wrt_overlaps}.
   *
   * @param overlaps {@code numGts * numBboxes} finite values (IoU, or -1 for ignored priors)
   * @param gtLabels {@code numGts} labels &gt;= 0, or null
   * @throws IllegalArgumentException if {@code overlaps} is null or not finite, its length is not
   *     {@code numGts * numBboxes}, or the labels do not have K non-negative entries
   */
  public AssignResult assignWrtOverlaps(float[] overlaps, int numGts, int numBboxes, int[] gtLabels) {
    Tensors.requireNonNull(overlaps, "overlaps");
    checkMatrix(overlaps.length, numGts, numBboxes, gtLabels);
    Tensors.requireFinite(overlaps, "overlaps");
    return matcher.assign((i, j0, j1, dst) -> {
      int o = i * numBboxes;
      for (int j = j0; j < j1; j++) {
        dst[j - j0] = overlaps[o + j];
      }
    }, numGts, numBboxes, gtLabels, Precision.F32);
  }

  /** Float64 counterpart of {@link #assignWrtOverlaps(float[], int, int, int[])}. */
  public AssignResult assignWrtOverlaps(double[] overlaps, int numGts, int numBboxes, int[] gtLabels) {
    Tensors.requireNonNull(overlaps, "overlaps");
    checkMatrix(overlaps.length, numGts, numBboxes, gtLabels);
    Tensors.requireFinite(overlaps, "overlaps");
    return matcher.assign((i, j0, j1, dst) -> System.arraycopy(overlaps, i * numBboxes + j0, dst, 0, j1 - j0),
        numGts, numBboxes, gtLabels, Precision.F64);
  }

  private static void checkMatrix(int length, int k, int n, int[] gtLabels) {
    if (k < 0 || n < 0 || (long) k * n != length) {
      throw new IllegalArgumentException("overlaps must hold num_gts x num_bboxes = " + k + " x " + n
          + " values; got " + length);
    }
    BoxArgs.checkLabels(gtLabels, k);
  }

  @Override
  public String toString() {
    Params p = params();
    String neg = switch (p.negativeRule()) {
      case BELOW -> String.valueOf(p.negIouHigh());
      case RANGE -> "(" + p.negIouLow() + ", " + p.negIouHigh() + ")";
      case NONE -> "None";
    };
    return "MaxIoUAssigner(pos_iou_thr=" + p.posIouThr() + ", neg_iou_thr=" + neg + ", min_pos_iou="
        + p.minPosIou() + ", gt_max_assign_all=" + p.gtMaxAssignAll() + ", ignore_iof_thr=" + p.ignoreIofThr()
        + ", ignore_wrt_candidates=" + p.ignoreWrtCandidates() + ", match_low_quality=" + p.matchLowQuality()
        + ", gpu_assign_thr=" + p.gpuAssignThr() + ")";
  }
}
