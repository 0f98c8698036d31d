package io.detkit.heads.anchorfree;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.ATSSHead;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.Heads;
import io.detkit.heads.ImageMeta;
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
  /** The registry name. */
  public static final String TYPE = "VFNetHead";
  /** Name of the refined box output. */
  public static final String BBOX_PREDS_REFINE = "bbox_preds_refine";
  private static final List<String> OUTPUTS = List.of(HeadOutputs.CLS_SCORES, HeadOutputs.BBOX_PREDS,
      BBOX_PREDS_REFINE);
  private static final Map<String, Object> DEFAULT_ANCHOR_GENERATOR = Map.of("type", "AnchorGenerator", "ratios",
      List.of(1.0), "octave_base_scale", 8, "scales_per_octave", 1, "center_offset", 0.0, "strides",
      List.of(8, 16, 32, 64, 128));

  private final FCOSTargets.Rules rules;
  private final ATSSHead atss;
  private final Loss lossBboxRefine;

  private VFNetHead(Settings s, FCOSTargets.Rules rules, ATSSHead atss, Loss lossBboxRefine) {
    super(TYPE, s);
    this.rules = rules;
    this.atss = atss;
    this.lossBboxRefine = lossBboxRefine;
  }

  /** The settings of {@link VFNetHead}; built from a config only. */
  static final class Settings extends AnchorFreeSettings<Settings> {
    @Override
    protected Settings self() {
      return this;
    }

    /**
     * VFNet does not predict yet (see the class comment), so its {@code test_cfg} (soft_nms in
     * MMDetection's configs, which detkit's NMS lacks) is accepted without being read.
     */
    @Override
    void readTestCfg(Config test) {
      // Intentionally unread: predict() refuses for VFNet.
    }

    @Override
    boolean allowsClassificationLoss(Loss loss) {
      return loss.type().equals("VarifocalLoss");
    }
  }

  /**
   * Builds from an MMDetection config dict ({@code type='VFNetHead'}): {@link AnchorFreeHead}'s keys
   * (default {@code loss_cls} VarifocalLoss(alpha=0.75, gamma=2, iou_weighted), {@code loss_bbox}
   * GIoULoss(loss_weight=1.5)), {@code loss_bbox_refine} (GIoULoss(loss_weight=2.0)),
   * {@code use_atss} (True), {@code anchor_generator}, {@code regress_ranges},
   * {@code center_sampling}, {@code center_sample_radius}, {@code use_vfl} (True only), and the
   * network-only keys {@code sync_num_pos}, {@code gradient_mul}, {@code bbox_norm_type},
   * {@code reg_decoded_bbox}, {@code loss_cls_fl} (accepted and unused).
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static VFNetHead fromConfig(Config c) {
    return fromConfig(c, java.util.concurrent.ForkJoinPool.commonPool());
  }

  /**
   * {@link #fromConfig(Config)} with per-image work on {@code executor} (null: the caller's thread).
   *
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static VFNetHead fromConfig(Config c, java.util.concurrent.Executor executor) {
    Tensors.requireNonNull(c, "config");
    Settings s = new Settings().executor(executor);
    s.lossCls(Losses.build(Config.of("type", "VarifocalLoss", "use_sigmoid", true, "alpha", 0.75, "gamma", 2.0,
        "iou_weighted", true, "loss_weight", 1.0)));
    s.lossBbox(Losses.build(Config.of("type", "GIoULoss", "loss_weight", 1.5)));
    s.read(c);
    try {
      if (!c.getBoolean("use_vfl", true)) {
        throw ConfigException.at(c.pathOf("use_vfl"), "only use_vfl=True (VarifocalLoss) is supported");
      }
      Config refine = c.getConfigOrNull("loss_bbox_refine");
      Loss lossRefine = Losses.build(refine != null ? refine : Config.of("type", "GIoULoss", "loss_weight", 2.0));
      if (c.has("loss_cls_fl")) {
        Losses.build(c.getConfig("loss_cls_fl"));
      }
      boolean useAtss = c.getBoolean("use_atss", true);
      Config ag = c.getConfigOrNull("anchor_generator");
      ag = ag != null ? ag : Config.of(DEFAULT_ANCHOR_GENERATOR);
      double[][] ranges = c.has("regress_ranges") ? FCOSHead.readRanges(c) : FCOSHead.DEFAULT_REGRESS_RANGES;
      if (ranges.length != s.strides.length) {
        throw ConfigException.at(c.pathOf("regress_ranges"), "regress_ranges must hold one (lo, hi) per level ("
            + s.strides.length + " strides); got " + ranges.length);
      }
      FCOSTargets.Rules rules = new FCOSTargets.Rules(s.numClasses, s.strides.clone(), ranges,
          c.getBoolean("center_sampling", false), c.getDouble("center_sample_radius", 1.5), false);
      ATSSHead atss = null;
      if (useAtss) {
        s.offset(ag.getDouble("center_offset", 0.0));
        // The ATSS step only assigns: sigmoid labels (background = num_classes), no sampling.
        Config atssCfg = Config.of("type", "ATSSHead", "num_classes", s.numClasses, "anchor_generator", ag.toMap(),
            "loss_cls", Map.of("type", "FocalLoss", "use_sigmoid", true));
        Config train = c.getConfigOrNull("train_cfg");
        if (train == null) {
          throw ConfigException.at(c.path(), "VFNetHead with use_atss needs train_cfg (its assigner)");
        }
        atss = (ATSSHead) Heads.build(atssCfg.with("train_cfg", train.toMap()));
        if (atss.numLevels() != s.strides.length) {
          throw ConfigException.at(c.pathOf("anchor_generator"), "anchor_generator must have one stride per level ("
              + s.strides.length + "); got " + atss.numLevels());
        }
      }
      c.accept("sync_num_pos", "gradient_mul", "bbox_norm_type", "reg_decoded_bbox", "center_sampling",
          "center_sample_radius");
      return new VFNetHead(s, rules, atss, lossRefine);
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.path(), e.getMessage());
    }
  }

  @Override
  public List<String> outputNames() {
    return OUTPUTS;
  }

  /** Both box outputs have four channels. */
  @Override
  protected int channels(String name) {
    return name.equals(BBOX_PREDS_REFINE) ? 4 : super.channels(name);
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

  /**
   * The losses and the gradient of their sum with respect to every output. The result's
   * {@code targets()} is empty (it holds anchor-head targets); {@link #lossWithDetails} returns
   * this head's targets with the loss.
   *
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

  /** {@link #loss} with the targets and the loss's intermediate values. */
  public VFNetLoss lossWithDetails(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
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
