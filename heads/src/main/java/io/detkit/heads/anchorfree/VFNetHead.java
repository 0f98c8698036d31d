package io.detkit.heads.anchorfree;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.ImageMeta;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.Loss;
import io.detkit.losses.Losses;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MMDetection's {@code VFNetHead} (VarifocalNet), its training losses: an FCOS-style point head with
 * a second, refined box output and an IoU-aware classification target.
 *
 * <p>Outputs: {@code cls_scores} {@code [N, num_classes, H, W]}, {@code bbox_preds} and
 * {@code bbox_preds_refine} {@code [N, 4, H, W]}, positive pixel distances (left, top, right,
 * bottom). The network (its star-shaped deformable convolution) is not part of detkit.
 *
 * <p>Targets: with {@code use_atss} (the default) ATSS assignment on one square anchor per location
 * ({@code anchor_generator}), done by an {@link ATSSHead}; each row's box (zeros for background)
 * is then encoded as distances from the point, the anchor centre (point offset
 * {@code anchor_generator.center_offset}), without clamping, so background rows hold
 * {@code (x, y, -x, -y)}. Without it, FCOS's targets ({@link FCOSTargets}: {@code regress_ranges},
 * {@code center_sampling}, no {@code norm_on_bbox}) on points at offset 0.5.
 *
 * <p>Loss, over all levels and images at once: for the positives, the predicted, refined and target
 * boxes decoded around the points; {@code iou = max(IoU(box, target), 1e-6)} for the initial and
 * the refined box; {@code loss_bbox} and {@code loss_bbox_rf} the box losses weighted by those IoUs
 * and averaged by {@code max(sum(iou), 1)}; {@code loss_cls} the VarifocalLoss against targets that
 * hold the refined IoU at (positive, label) and 0 elsewhere, averaged by
 * {@code max(#positives, 1)} and without label weights (as MMDetection). The IoUs used as weights
 * and targets carry no gradient. Only {@code use_vfl=True} is supported.
 *
 * <p>{@link #predict} is refused: MMDetection predicts VFNet from the refined boxes, a path detkit
 * has not checked against MMDetection yet. Immutable and thread-safe.
 */
public final class VFNetHead extends AnchorFreeHead {
  /** Name of the refined box output. */
  public static final String BBOX_PREDS_REFINE = "bbox_preds_refine";
  /** Config key of the refined boxes' loss. */
  public static final String LOSS_BBOX_REFINE = "loss_bbox_refine";
  /** Config key of the FocalLoss MMDetection uses with {@code use_vfl=False} (read, not used). */
  public static final String LOSS_CLS_FL = "loss_cls_fl";
  private static final List<String> OUTPUTS = List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS,
      BBOX_PREDS_REFINE);
  private static final Map<String, Object> DEFAULT_ANCHOR_GENERATOR = Map.of("type", "AnchorGenerator", "ratios",
      List.of(1.0), "octave_base_scale", 8, "scales_per_octave", 1, "center_offset", 0.0, "strides",
      List.of(8, 16, 32, 64, 128));

  private final FCOSTargets.Rules rules;
  private final ATSSHead atss;
  private final Loss lossBboxRefine;

  private VFNetHead(Builder b) {
    super(b);
    this.rules = b.rules(numClasses(), false);
    this.lossBboxRefine = extraLoss(LOSS_BBOX_REFINE);
    if (b.atssConfig != null) {
      // The ATSS step only assigns: sigmoid labels (background = num_classes), no sampling.
      this.atss = new ATSSHead.Builder().params(p -> p.withExecutor(executor()))
          .fromConfig(b.atssConfig.with("num_classes", numClasses()));
      if (atss.numLevels() != numLevels()) {
        throw new IllegalArgumentException("anchor_generator must have one stride per level (" + numLevels()
            + "); got " + atss.numLevels());
      }
    } else {
      this.atss = null;
    }
  }

  /** A builder with MMDetection's defaults; configure it with {@link Builder#fromConfig}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Builds from an MMDetection config dict ({@code type='VFNetHead'}); see {@link Builder}.
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static VFNetHead fromConfig(Config c) {
    return builder().fromConfig(c);
  }

  /**
   * Builder of {@link VFNetHead}: {@link PointHeadBuilder}'s keys (default {@code loss_cls}
   * VarifocalLoss(alpha=0.75, gamma=2, iou_weighted), {@code loss_bbox} GIoULoss(loss_weight=1.5)),
   * {@code loss_bbox_refine} (GIoULoss(loss_weight=2.0)), {@code use_atss} (True; then
   * {@code train_cfg} with its assigner is required), {@code anchor_generator}, {@code regress_ranges},
   * {@code center_sampling}, {@code center_sample_radius}, {@code use_vfl} (True only), and the
   * network-only keys {@code sync_num_pos}, {@code gradient_mul}, {@code bbox_norm_type},
   * {@code reg_decoded_bbox}, {@code loss_cls_fl} (accepted and unused). VFNet does not predict yet
   * (see the class comment), so its {@code test_cfg} (soft_nms in MMDetection's configs, which
   * detkit's NMS lacks) is accepted without being read. The ATSS assignment is configured from the
   * config dict only; a builder not given one uses FCOS's rules ({@code use_atss=False}).
   */
  public static final class Builder extends FCOSRulesBuilder<Builder, VFNetHead> {
    private Config atssConfig;

    /** A builder with MMDetection's defaults. */
    public Builder() {
      super(VFNetHead.class, VFNetHead::new);
      params(p -> p.withLossCls(Losses.build(Config.of("type", "VarifocalLoss", "use_sigmoid", true, "alpha", 0.75,
          "gamma", 2.0, "iou_weighted", true, "loss_weight", 1.0)))
          .withLossBbox(Losses.build(Config.of("type", "GIoULoss", "loss_weight", 1.5))));
      declareLoss(LOSS_BBOX_REFINE, Config.of("type", "GIoULoss", "loss_weight", 2.0));
      declareLoss(LOSS_CLS_FL, Config.of("type", FocalLoss.TYPE.name(), "use_sigmoid", true, "gamma", 2.0,
          "alpha", 0.25, "loss_weight", 1.0));
      ignoreKeys("sync_num_pos", "gradient_mul", "bbox_norm_type", "reg_decoded_bbox");
    }

    @Override
    protected void readConfig(Config c) {
      super.readConfig(c);
      if (!c.getBoolean("use_vfl", true)) {
        throw ConfigException.at(c.pathOf("use_vfl"), "only use_vfl=True (VarifocalLoss) is supported");
      }
      Config ag = c.getConfigOrNull("anchor_generator");
      ag = ag != null ? ag : Config.of(DEFAULT_ANCHOR_GENERATOR);
      if (c.getBoolean("use_atss", true)) {
        offset(ag.getDouble("center_offset", 0.0));
        Config train = c.getConfigOrNull("train_cfg");
        if (train == null) {
          throw ConfigException.at(c.path(), "VFNetHead with use_atss needs train_cfg (its assigner)");
        }
        atssConfig = Config.of("type", "ATSSHead", "anchor_generator", ag.toMap(), "loss_cls",
            Map.of("type", FocalLoss.TYPE.name(), "use_sigmoid", true), "train_cfg", train.toMap());
      }
    }

    /** Accepted without being read: VFNet does not predict yet. */
    @Override
    protected void readTestCfg(Config test) {
      // Intentionally unread: predict() refuses for VFNet.
    }

    /** VFNet's classification targets are IoU-aware soft scores: VarifocalLoss only. */
    @Override
    protected boolean allowsClassificationLoss(Loss loss) {
      return loss.type().equals("VarifocalLoss");
    }

    @Override
    protected String allowedClassificationLosses() {
      return "VarifocalLoss (its targets are IoU-aware soft scores)";
    }
  }

  @Override
  public List<String> outputNames() {
    return OUTPUTS;
  }

  /** Both box outputs have four channels. */
  @Override
  public int outputChannels(String name, int level) {
    return name.equals(BBOX_PREDS_REFINE) ? 4 : super.outputChannels(name, level);
  }

  /** Whether targets come from ATSS assignment on anchors (else from FCOS's rules). */
  public boolean useAtss() {
    return atss != null;
  }

  /** The loss of the refined boxes. */
  public Loss lossBboxRefine() {
    return lossBboxRefine;
  }

  /**
   * The training targets: labels and distances per level, and with {@code use_atss} the ATSS
   * targets they came from (anchors, label and box weights, assignments).
   *
   * @throws IllegalArgumentException for a level count other than the strides', missing labels,
   *     or (ATSS) an image without any anchor inside its padded shape
   */
  public VFNetTargets getTargets(List<int[]> featmapSizes, List<GroundTruth> gts, List<ImageMeta> metas,
      DataType dtype) {
    Tensors.requireNonNull(featmapSizes, "featmap_sizes");
    if (featmapSizes.size() != numLevels()) {
      throw new IllegalArgumentException("featmap_sizes must hold " + numLevels() + " levels; got "
          + featmapSizes.size());
    }
    List<double[]> points = points(featmapSizes, dtype);
    if (atss == null) {
      return new VFNetTargets(FCOSTargets.compute(rules, points, gts, dtype, executor()), null);
    }
    HeadTargets t = atss.getTargets(atss.getAnchors(featmapSizes, metas, dtype), gts, metas, atss.labelChannels())
        .orElseThrow(() -> new IllegalArgumentException("an image has no anchor inside its pad_shape"));
    boolean f32 = dtype != DataType.DOUBLE;
    int n = gts.size();
    int levels = featmapSizes.size();
    int[] perLevel = new int[levels];
    int[][] labels = new int[levels][];
    double[][] dist = new double[levels][];
    for (int l = 0; l < levels; l++) {
      double[] p = points.get(l);
      perLevel[l] = p.length / 2;
      labels[l] = t.labelsData(l);
      double[] boxes = t.bboxTargetsData(l);
      dist[l] = new double[boxes.length];
      for (int row = 0; row < n * perLevel[l]; row++) {
        int q = row % perLevel[l];
        double x = p[2 * q];
        double y = p[2 * q + 1];
        dist[l][4 * row] = PointLayout.r(x - boxes[4 * row], f32);
        dist[l][4 * row + 1] = PointLayout.r(y - boxes[4 * row + 1], f32);
        dist[l][4 * row + 2] = PointLayout.r(boxes[4 * row + 2] - x, f32);
        dist[l][4 * row + 3] = PointLayout.r(boxes[4 * row + 3] - y, f32);
      }
    }
    return new VFNetTargets(FCOSTargets.of(n, perLevel, labels, dist, f32 ? DataType.FLOAT : DataType.DOUBLE), t);
  }

  /** The loss with the targets and the loss's intermediate values ({@link VFNetLoss}). */
  @Override
  protected HeadLoss pointLoss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    PointBatch batch = checkTrainingBatch(outputs, gts, metas);
    VFNetTargets targets = getTargets(batch.featmapSizes(), gts, metas, batch.dataType());
    return new VFNetLossComputer(this, batch, outputs, targets).compute();
  }

  @Override
  void checkCanPredict() {
    throw new UnsupportedOperationException("VFNetHead.predict is not implemented: MMDetection predicts VFNet from"
        + " bbox_preds_refine, a path detkit has not yet checked against MMDetection");
  }
}
