package io.detkit.heads.tood;

import io.detkit.core.CoreRegistries;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.core.assign.TaskAlignedAssigner;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.HeadBuilder;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.ImageTargets;
import io.detkit.heads.MultiLevelAnchors;
import io.detkit.core.precision.Precision;
import io.detkit.heads.SingleImageInput;
import io.detkit.losses.Loss;
import java.util.List;
import java.util.function.Function;

/**
 * MMDetection 2.x's {@code TOODHead} (Task-aligned One-stage Object Detection), an {@link ATSSHead}
 * without the centerness output whose outputs are already the network's final predictions:
 * {@code cls_scores} {@code [N, A*C, H, W]} are PROBABILITIES (the geometric mean of the
 * classification and alignment sigmoids) and {@code bbox_preds} {@code [N, A*4, H, W]} are DECODED
 * boxes {@code (x1, y1, x2, y2)} in STRIDE units.
 *
 * <p>Training has two phases, chosen by the epoch the trainer hands to
 * {@link #loss(HeadOutputs, List, List, int)}:
 * <ul>
 *   <li>{@code epoch < train_cfg.initial_epoch}: ATSS's targets with {@code train_cfg.initial_assigner}
 *       and {@code initial_loss_cls} (FocalLoss on probabilities); box weights ATSS's centerness;
 *   <li>afterwards: {@code train_cfg.assigner} (a {@link TaskAlignedAssigner}) on the predictions with
 *       {@code train_cfg.alpha}/{@code beta}, and {@code loss_cls} (QualityFocalLoss on probabilities)
 *       against the normalised alignment metrics, which also weight the box loss.
 * </ul>
 * Targets: {@link AlignmentTargets}; losses: {@link TOODLossComputer}. Prediction ranks the
 * probabilities as they are and returns the boxes times the stride, not clipped.
 *
 * <p>Config: the keys of {@link ATSSHead#fromConfig} plus {@code initial_loss_cls},
 * {@code anchor_type} ({@code 'anchor_free'} or {@code 'anchor_based'}: it only shapes the network's
 * decoding, so the head checks and records it) and {@code num_dcn} (ignored); in {@code train_cfg}
 * also {@code initial_epoch}, {@code initial_assigner}, {@code alpha} and {@code beta}, all required
 * when {@code train_cfg} is given (no other head accepts them). Thread-safety, randomness and errors
 * as {@link io.detkit.heads.AnchorHead}.
 */
public class TOODHead extends ATSSHead {
  /** Config key of the classification loss of the initial phase. */
  public static final String INITIAL_LOSS_CLS = "initial_loss_cls";

  /** Per-image extra: the normalised alignment metric of each anchor (the initial phase: 1 for positives). */
  public static final String ALIGNMENT_METRICS = "alignment_metrics";

  /** Per-image extra of the alignment phase: the assigner's raw alignment metric of each anchor. */
  public static final String ASSIGN_METRICS = "assign_metrics";

  static final Config DEFAULT_INITIAL_LOSS_CLS = Config.of("type", "FocalLoss", "use_sigmoid", true,
      "activated", true, "gamma", 2.0, "alpha", 0.25, "loss_weight", 1.0);

  private final Loss initialLossCls;
  private final String anchorType;
  private final int initialEpoch;
  private final double alpha;
  private final double beta;
  private final TaskAlignedAssigner alignmentAssigner;
  private final TOODLossComputer toodLoss = new TOODLossComputer(this);

  /** Builds the head a builder describes. */
  protected TOODHead(Builder b) {
    super(b);
    this.initialLossCls = extraLoss(INITIAL_LOSS_CLS);
    if (!b.anchorType.equals("anchor_free") && !b.anchorType.equals("anchor_based")) {
      throw new IllegalArgumentException("TOODHead: anchor_type must be 'anchor_free' or 'anchor_based'; got '"
          + b.anchorType + "'");
    }
    this.anchorType = b.anchorType;
    if (trainCfg().isPresent()) {
      if (b.initialEpoch == null || b.alpha == null || b.beta == null || !b.initialAssignerSet) {
        throw new IllegalArgumentException("TOODHead: train_cfg needs initial_epoch, initial_assigner, alpha and beta;"
            + " got initial_epoch=" + b.initialEpoch + ", initial_assigner " + (b.initialAssignerSet ? "set" : "missing")
            + ", alpha=" + b.alpha + ", beta=" + b.beta);
      }
      if (b.initialEpoch < 0 || !Double.isFinite(b.alpha) || !Double.isFinite(b.beta)) {
        throw new IllegalArgumentException("TOODHead: train_cfg.initial_epoch must be >= 0 and alpha, beta finite;"
            + " got initial_epoch=" + b.initialEpoch + ", alpha=" + b.alpha + ", beta=" + b.beta);
      }
      BaseAssigner a = CoreRegistries.buildAssigner(trainCfg().get().assigner());
      if (!(a instanceof TaskAlignedAssigner taa)) {
        throw new IllegalArgumentException("TOODHead: train_cfg.assigner must be a TaskAlignedAssigner; got "
            + trainCfg().get().assigner());
      }
      this.alignmentAssigner = taa;
      this.initialEpoch = b.initialEpoch;
      this.alpha = b.alpha;
      this.beta = b.beta;
    } else {
      this.alignmentAssigner = null;
      this.initialEpoch = 0;
      this.alpha = 1;
      this.beta = 6;
    }
  }

  /**
   * Builds from an MMDetection config dict ({@code type='TOODHead'}).
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static TOODHead fromConfig(Config c) {
    return new Builder().fromConfig(c);
  }

  /** The classification loss before {@code initial_epoch}. */
  public final Loss initialLossCls() {
    return initialLossCls;
  }

  /** {@code anchor_type}: how the network decodes (recorded; the head's computation is the same). */
  public final String anchorType() {
    return anchorType;
  }

  /** {@code train_cfg.initial_epoch}: the first epoch of the alignment phase. */
  public final int initialEpoch() {
    return initialEpoch;
  }

  /** {@code train_cfg.alpha}: the exponent of the score in the alignment metric. */
  public final double alpha() {
    return alpha;
  }

  /** {@code train_cfg.beta}: the exponent of the IoU in the alignment metric. */
  public final double beta() {
    return beta;
  }

  /** The assigner of the alignment phase ({@code train_cfg.assigner}); null without train_cfg. */
  public final TaskAlignedAssigner alignmentAssigner() {
    return alignmentAssigner;
  }

  @Override
  public List<String> outputNames() {
    return List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS);
  }

  /** TOOD's scores need no factor. */
  @Override
  protected String scoreFactorName() {
    return null;
  }

  /** The targets of each image read the call's predictions ({@link AlignmentTargets}). */
  @Override
  protected Function<SingleImageInput, ImageTargets> targetStep(HeadOutputs outputs, MultiLevelAnchors anchors) {
    return new AlignmentTargets(this, outputs, anchors)::targets;
  }

  /** ATSS's per-image step, for the initial phase. */
  ImageTargets atssTargetsSingle(SingleImageInput in) {
    return getTargetsSingle(in);
  }

  /** The {@code refineTargets} hook, for the alignment phase's targets. */
  ImageTargets refineTargetsOf(SingleImageInput in, ImageTargets t) {
    return refineTargets(in, t);
  }

  /**
   * The losses of {@link TOODLossComputer}, carrying their divisors and box weights
   * ({@code details(TOODLoss.class)}). Caller's thread.
   */
  @Override
  public HeadLoss lossFromTargets(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets targets) {
    return toodLoss.loss(outputs, anchors, targets);
  }

  /** The outputs are probabilities already: ranked as they are. */
  @Override
  protected double[] predictScores(int level, double[] clsRows, int n, Precision p) {
    double[] probs = clsRows.clone();
    for (int i = 0; i < probs.length; i++) {
      probs[i] = p.round(probs[i]);
    }
    return probs;
  }

  /** The outputs are boxes in stride units: times the stride, not clipped (as MMDetection). */
  @Override
  protected double[] decodePredictions(int level, double[] anchors, double[] bboxPredRows, int[] imgShape,
      Precision p) {
    double s = stride(level);
    double[] out = new double[bboxPredRows.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = p.round(bboxPredRows[i] * s);
    }
    return out;
  }

  @Override
  public String toString() {
    return "TOODHead(num_classes=" + numClasses() + ", anchor_type=" + anchorType + ", initial_epoch=" + initialEpoch
        + ", alpha=" + alpha + ", beta=" + beta + ", loss_cls=" + lossCls() + ", initial_loss_cls=" + initialLossCls
        + ", loss_bbox=" + lossBbox() + ")";
  }

  /** Builder of {@link TOODHead}s: ATSSHead's defaults plus {@code initial_loss_cls}. */
  public static final class Builder extends HeadBuilder<Builder, TOODHead> {
    private String anchorType = "anchor_free";
    private Integer initialEpoch;
    private Double alpha;
    private Double beta;
    private boolean initialAssignerSet;

    /** A builder with this head's defaults. */
    public Builder() {
      super(TOODHead.class, TOODHead::new);
      ATSSHead.defaults(this);
      declareLoss(INITIAL_LOSS_CLS, DEFAULT_INITIAL_LOSS_CLS);
      acceptTrainCfgKeys("initial_epoch", "initial_assigner", "alpha", "beta");
      ignoreKeys("num_dcn");
    }

    /** {@code anchor_type}. */
    public Builder anchorType(String anchorType) {
      return set(() -> this.anchorType = anchorType);
    }

    /** {@code train_cfg.initial_epoch}. */
    public Builder initialEpoch(int initialEpoch) {
      return set(() -> this.initialEpoch = initialEpoch);
    }

    /** {@code train_cfg.initial_assigner}: the assigner of the initial phase (ATSS's per-level call). */
    public Builder initialAssigner(BaseAssigner initialAssigner) {
      params(p -> p.withAssigner(initialAssigner));
      this.initialAssignerSet = initialAssigner != null;
      return this;
    }

    /** {@code train_cfg.alpha} and {@code beta}. */
    public Builder alphaBeta(double alpha, double beta) {
      this.alpha = alpha;
      this.beta = beta;
      return this;
    }

    /** {@code initial_loss_cls}. */
    public Builder initialLossCls(Loss loss) {
      return loss(INITIAL_LOSS_CLS, loss);
    }

    @Override
    protected void readConfig(Config c) {
      anchorType(c.getString("anchor_type", anchorType));
      Config train = c.getConfigOrNull("train_cfg");
      if (train != null) {
        initialEpoch(train.getInt("initial_epoch"));
        initialAssigner(CoreRegistries.buildAssigner(train.getConfig("initial_assigner")));
        alphaBeta(train.getDouble("alpha"), train.getDouble("beta"));
      }
    }
  }
}
