package io.detkit.heads.anchorfree;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import io.detkit.losses.CrossEntropyLoss;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
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
 * <p>Config keys beyond {@link AnchorFreeHead}'s: {@code regress_ranges} (one {@code (lo, hi)} per
 * level; default {@code ((-1, 64), (64, 128), (128, 256), (256, 512), (512, 1e8))}),
 * {@code center_sampling} (False), {@code center_sample_radius} (1.5), {@code norm_on_bbox} (False),
 * {@code centerness_on_reg} (False; it only selects which tower feeds the centerness convolution,
 * so the head reports it and does nothing else with it), {@code loss_centerness} (sigmoid
 * CrossEntropyLoss). {@code train_cfg} is accepted and unused, as in MMDetection.
 *
 * <p>Immutable and thread-safe.
 */
public final class FCOSHead extends AnchorFreeHead {
  /** The registry name. */
  public static final String TYPE = "FCOSHead";
  /** MMDetection's default regress ranges (five levels). */
  static final double[][] DEFAULT_REGRESS_RANGES = {{-1, 64}, {64, 128}, {128, 256}, {256, 512},
      {512, FCOSTargets.INF}};
  private static final List<String> OUTPUTS = List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS,
      HeadOutputs.CENTERNESSES);

  private final FCOSTargets.Rules rules;
  private final boolean centernessOnReg;
  private final Loss lossCenterness;

  private FCOSHead(Builder b) {
    super(TYPE, b);
    double[][] ranges = b.regressRanges == null ? DEFAULT_REGRESS_RANGES : b.regressRanges;
    if (ranges.length != b.strides.length) {
      throw new IllegalArgumentException("regress_ranges must hold one (lo, hi) per level (" + b.strides.length
          + " strides); got " + ranges.length);
    }
    double[][] copy = new double[ranges.length][];
    for (int l = 0; l < ranges.length; l++) {
      if (ranges[l] == null || ranges[l].length != 2 || Double.isNaN(ranges[l][0]) || Double.isNaN(ranges[l][1])) {
        throw new IllegalArgumentException("regress_ranges[" + l + "] must be a pair (lo, hi) of numbers; got "
            + (ranges[l] == null ? "None" : java.util.Arrays.toString(ranges[l])));
      }
      copy[l] = ranges[l].clone();
    }
    this.rules = new FCOSTargets.Rules(b.numClasses, b.strides.clone(), copy, b.centerSampling, b.radius,
        b.normOnBbox);
    this.centernessOnReg = b.centernessOnReg;
    this.lossCenterness = b.lossCenterness;
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
    return builder(c).build();
  }

  /**
   * A builder holding what {@code c} says, for settings a config cannot carry (the executor).
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static Builder builder(Config c) {
    Tensors.requireNonNull(c, "config");
    Builder b = builder().read(c);
    try {
      if (c.has("regress_ranges")) {
        b.regressRanges(readRanges(c));
      }
      b.centerSampling(c.getBoolean("center_sampling", false));
      b.centerSampleRadius(c.getDouble("center_sample_radius", 1.5));
      b.normOnBbox(c.getBoolean("norm_on_bbox", false));
      b.centernessOnReg(c.getBoolean("centerness_on_reg", false));
      Config lc = c.getConfigOrNull("loss_centerness");
      if (lc != null) {
        b.lossCenterness(Losses.build(lc));
      }
      b.build();
      return b;
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
  }

  /**
   * {@code regress_ranges} of {@code c}: a list of {@code (lo, hi)} pairs.
   *
   * @throws ConfigException naming the key for an element that is not a pair of numbers
   */
  static double[][] readRanges(Config c) {
    List<Object> list = c.getList("regress_ranges");
    double[][] ranges = new double[list.size()][];
    for (int l = 0; l < list.size(); l++) {
      if (!(list.get(l) instanceof List<?> pair) || pair.size() != 2
          || !(pair.get(0) instanceof Number lo) || !(pair.get(1) instanceof Number hi)) {
        throw ConfigException.at(c.pathOf("regress_ranges"), "regress_ranges[" + l
            + "] must be a pair (lo, hi) of numbers; got " + Config.describe(list.get(l)));
      }
      ranges[l] = new double[] {lo.doubleValue(), hi.doubleValue()};
    }
    return ranges;
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

  /**
   * The losses and the gradient of their sum with respect to every output. The result's
   * {@code targets()} is empty (it holds anchor-head targets); {@link #lossWithDetails} returns
   * this head's targets with the loss.
   *
   * @param metas one per image (checked against the batch; FCOS reads nothing from them)
   * @throws IllegalArgumentException for outputs that do not fit the head, or gts / metas that do
   *     not fit the batch
   */
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    return lossWithDetails(outputs, gts, metas).loss();
  }

  @Override
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0; got " + epoch);
    }
    return loss(outputs, gts, metas);
  }

  /** {@link #loss} with the targets and the intermediate values of the loss. */
  public FCOSLoss lossWithDetails(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    PointBatch batch = checkTrainingBatch(outputs, gts, metas);
    FCOSTargets targets = getTargets(batch.featmapSizes(), gts, batch.dataType());
    return new FCOSLossComputer(this, batch, outputs, targets).compute();
  }

  /** Builder of {@link FCOSHead}; starts from MMDetection's defaults. */
  public static final class Builder extends AnchorFreeSettings<Builder> {
    private double[][] regressRanges;
    private boolean centerSampling;
    private double radius = 1.5;
    private boolean normOnBbox;
    private boolean centernessOnReg;
    private Loss lossCenterness = CrossEntropyLoss.builder().useSigmoid(true).build();

    private Builder() {}

    @Override
    protected Builder self() {
      return this;
    }

    /** One {@code (lo, hi)} per level, both inclusive; null for MMDetection's default. */
    public Builder regressRanges(double[][] ranges) {
      this.regressRanges = ranges == null ? null : ranges.clone();
      return this;
    }

    /** Positives only near the gt centre. */
    public Builder centerSampling(boolean on) {
      this.centerSampling = on;
      return this;
    }

    /** @throws IllegalArgumentException if not a finite number &gt; 0 */
    public Builder centerSampleRadius(double radius) {
      if (!(radius > 0) || !Double.isFinite(radius)) {
        throw new IllegalArgumentException("center_sample_radius must be > 0; got " + radius);
      }
      this.radius = radius;
      return this;
    }

    /** Box targets (and training predictions) in stride units. */
    public Builder normOnBbox(boolean on) {
      this.normOnBbox = on;
      return this;
    }

    /** Network option, reported by the head. */
    public Builder centernessOnReg(boolean on) {
      this.centernessOnReg = on;
      return this;
    }

    /** The loss of the centerness logits against the centerness targets. */
    public Builder lossCenterness(Loss loss) {
      this.lossCenterness = Tensors.requireNonNull(loss, "loss_centerness");
      return this;
    }

    /**
     * The head.
     *
     * @throws IllegalArgumentException if {@code num_classes} is unset or {@code regress_ranges} does
     *     not hold one pair per stride
     */
    public FCOSHead build() {
      if (numClasses < 1) {
        throw new IllegalArgumentException("num_classes must be set (>= 1)");
      }
      return new FCOSHead(this);
    }
  }
}
