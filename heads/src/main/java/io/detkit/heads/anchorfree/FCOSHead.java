package io.detkit.heads.anchorfree;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import io.detkit.losses.Loss;
import java.util.List;

/**
 * MMDetection's {@code FCOSHead} (FCOS: Fully Convolutional One-Stage object detection): at every
 * point, class scores, four distances to the box sides and a centerness logit.
 *
 * <p>Outputs: {@code cls_scores} {@code [N, num_classes, H, W]}, {@code bbox_preds}
 * {@code [N, 4, H, W]} (training: positive distances in pixels, or in stride units with
 * {@code norm_on_bbox}; inference: pixels), {@code centernesses} {@code [N, 1, H, W]}.
 *
 * <p>Training ({@link #loss}): targets as {@link FCOSTargets}; over all levels and images at once,
 * {@code loss_cls} on every point with {@code avg_factor = max(#positives, 1)}; for the positives the
 * centerness target {@code sqrt(min(l,r)/max(l,r) * min(t,b)/max(t,b))}, {@code loss_bbox} on the
 * predicted and target distances decoded around the point, weighted by the centerness targets and
 * averaged by their sum (at least 1e-6), and {@code loss_centerness} on the centerness logits with
 * {@code avg_factor = max(#positives, 1)}. Each loss is one scalar. With {@code norm_on_bbox} the
 * stride-unit distances are still decoded around pixel points, as MMDetection does. Without any
 * positive {@code loss_bbox} and {@code loss_centerness} are 0 with zero gradients.
 *
 * <p>Config keys beyond {@link PointHeadBuilder}'s: {@code regress_ranges} (one {@code (lo, hi)} per
 * level; default {@code ((-1, 64), (64, 128), (128, 256), (256, 512), (512, 1e8))}),
 * {@code center_sampling} (False), {@code center_sample_radius} (1.5), {@code norm_on_bbox} (False),
 * {@code centerness_on_reg} (False; it only selects which tower feeds the centerness convolution,
 * so the head reports it and does nothing else with it), {@code loss_centerness} (sigmoid
 * CrossEntropyLoss). {@code train_cfg} (MMDetection's FCOS configs give one with an assigner) is
 * read as every head's, with its keys checked, and not used: FCOS assigns by its regress ranges.
 *
 * <p>Immutable and thread-safe.
 */
public final class FCOSHead extends AnchorFreeHead {
  /** Config key and loss dict key of the centerness loss. */
  public static final String LOSS_CENTERNESS = "loss_centerness";
  private static final List<String> OUTPUTS = List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS,
      HeadOutputs.CENTERNESSES);

  private final FCOSTargets.Rules rules;
  private final boolean centernessOnReg;
  private final Loss lossCenterness;

  private FCOSHead(Builder b) {
    super(b);
    this.rules = b.rules(numClasses(), b.normOnBbox);
    this.centernessOnReg = b.centernessOnReg;
    this.lossCenterness = extraLoss(LOSS_CENTERNESS);
  }

  /** A builder with MMDetection's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds from an MMDetection config dict ({@code type='FCOSHead'}); see the class comment.
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static FCOSHead fromConfig(Config c) {
    return builder().fromConfig(c);
  }

  @Override
  public List<String> outputNames() {
    return OUTPUTS;
  }

  /** FCOS multiplies the class scores by the centerness at inference. */
  @Override
  public String scoreFactorName() {
    return HeadOutputs.CENTERNESSES;
  }

  /** The {@code (lo, hi)} regress range of {@code level}. */
  public double[] regressRange(int level) {
    return rules.regressRanges()[level].clone();
  }

  /** Whether positives come from the centre region only. */
  public boolean centerSampling() {
    return rules.centerSampling();
  }

  /** The centre region's half-size in strides. */
  public double centerSampleRadius() {
    return rules.radius();
  }

  /** Whether box targets are in stride units. */
  public boolean normOnBbox() {
    return rules.normOnBbox();
  }

  /** Whether the centerness branch sits on the regression tower (network only). */
  public boolean centernessOnReg() {
    return centernessOnReg;
  }

  /** The centerness loss. */
  public Loss lossCenterness() {
    return lossCenterness;
  }

  /**
   * MMDetection's {@code get_targets} for outputs of the given map sizes.
   *
   * @param featmapSizes {@code (H, W)} per level
   * @param gts one per image, labels required ({@code bboxes_ignore} is not used)
   * @param dtype FLOAT or DOUBLE: the precision of the points and targets
   * @throws IllegalArgumentException for a level count other than the strides', or missing labels
   */
  public FCOSTargets getTargets(List<int[]> featmapSizes, List<GroundTruth> gts, org.nd4j.linalg.api.buffer.DataType
      dtype) {
    Tensors.requireNonNull(featmapSizes, "featmap_sizes");
    Tensors.requireNonNull(gts, "gt");
    if (featmapSizes.size() != numLevels()) {
      throw new IllegalArgumentException("featmap_sizes must hold " + numLevels() + " levels; got "
          + featmapSizes.size());
    }
    return FCOSTargets.compute(rules, points(featmapSizes, dtype), gts, dtype, executor());
  }

  /** The loss with the targets and the intermediate values of the loss ({@link FCOSLoss}). */
  @Override
  protected HeadLoss pointLoss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    PointBatch batch = checkTrainingBatch(outputs, gts, metas);
    FCOSTargets targets = getTargets(batch.featmapSizes(), gts, batch.dataType());
    return new FCOSLossComputer(this, batch, outputs, targets).compute();
  }

  /** Builder of {@link FCOSHead}; starts from MMDetection's defaults. */
  public static final class Builder extends FCOSRulesBuilder<Builder, FCOSHead> {
    private boolean normOnBbox;
    private boolean centernessOnReg;

    /** A builder with MMDetection's defaults ({@code loss_centerness}: sigmoid CrossEntropyLoss). */
    public Builder() {
      super(FCOSHead.class, FCOSHead::new);
      declareLoss(LOSS_CENTERNESS, Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "loss_weight", 1.0));
    }

    /** Reads {@code norm_on_bbox} and {@code centerness_on_reg} after the common rules. */
    @Override
    protected void readConfig(Config c) {
      super.readConfig(c);
      normOnBbox(c.getBoolean("norm_on_bbox", false));
      centernessOnReg(c.getBoolean("centerness_on_reg", false));
    }

    /** Box targets (and training predictions) in stride units. */
    public Builder normOnBbox(boolean on) {
      return set(() -> this.normOnBbox = on);
    }

    /** Network option, reported by the head. */
    public Builder centernessOnReg(boolean on) {
      return set(() -> this.centernessOnReg = on);
    }

    /** The loss of the centerness logits against the centerness targets. */
    public Builder lossCenterness(Loss loss) {
      return loss(LOSS_CENTERNESS, loss);
    }
  }
}
