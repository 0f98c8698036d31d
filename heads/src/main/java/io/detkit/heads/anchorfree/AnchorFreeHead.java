package io.detkit.heads.anchorfree;

import io.detkit.core.anchor.MlvlPointGenerator;
import io.detkit.core.anchor.Stride;
import io.detkit.core.coder.DistancePointBBoxCoder;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.Detections;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.TestConfig;
import io.detkit.heads.TrainConfig;
import io.detkit.losses.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MMDetection's {@code AnchorFreeHead}: the base of dense heads that predict, at every point of a
 * feature map, class scores and the four distances from the point to the box sides (FCOS and the
 * heads built on it). It holds what those heads share: the configuration (classes, strides,
 * {@code loss_cls}, {@code loss_bbox}, the test config), the point priors of
 * {@link MlvlPointGenerator}, the checks of the head outputs, the box coder and {@link #predict}.
 * Subclasses add their targets and losses.
 *
 * <p>Head outputs are lists of per-level NCHW arrays named as in {@link HeadOutputs}
 * ({@code cls_scores} {@code [N, num_classes, H, W]}, {@code bbox_preds} {@code [N, 4, H, W]}, plus
 * a subclass's own); all FLOAT or all DOUBLE. Points are {@code ((j + offset) s, (i + offset) s)} in
 * the cell's row-major order, the same order as the flattened outputs.
 *
 * <p>Immutable and thread-safe: per-image work runs on the head's executor and its results do not
 * depend on the number of threads.
 */
public abstract class AnchorFreeHead {
  /** Config keys that only size or initialise the convolutions, accepted and ignored. */
  static final String[] CONV_KEYS = {"in_channels", "feat_channels", "stacked_convs", "conv_cfg", "norm_cfg",
      "init_cfg", "dcn_on_last_conv", "conv_bias"};
  /** MMDetection's default strides of {@code AnchorFreeHead}. */
  static final double[] DEFAULT_STRIDES = {4, 8, 16, 32, 64};

  private final String type;
  private final int numClasses;
  private final MlvlPointGenerator priorGenerator;
  private final DistancePointBBoxCoder bboxCoder = new DistancePointBBoxCoder();
  private final Loss lossCls;
  private final Loss lossBbox;
  private final TrainConfig trainCfg;
  private final TestConfig testCfg;
  private final Executor executor;

  /**
   * @param type MMDetection's type name, used in messages
   * @param s the shared settings, already checked
   */
  protected AnchorFreeHead(String type, AnchorFreeSettings<?> s) {
    s.requireComplete();
    this.type = Tensors.requireNonNull(type, "type");
    this.numClasses = s.numClasses;
    List<Stride> strides = new ArrayList<>();
    for (double st : s.strides) {
      strides.add(Stride.of(st));
    }
    this.priorGenerator = new MlvlPointGenerator(strides, s.offset);
    this.lossCls = s.lossCls;
    this.lossBbox = s.lossBbox;
    this.trainCfg = s.trainCfg;
    this.testCfg = s.testCfg;
    this.executor = s.executor;
  }

  // ------------------------------------------------------------------------------- properties

  /** MMDetection's type name, e.g. {@code FCOSHead}. */
  public final String type() {
    return type;
  }

  /** Number of foreground classes, also the background label; the channels of {@code cls_scores}. */
  public final int numClasses() {
    return numClasses;
  }

  /** The number of pyramid levels (strides). */
  public final int numLevels() {
    return priorGenerator.strides().size();
  }

  /** The stride of {@code level} in pixels. */
  public final double stride(int level) {
    return priorGenerator.strides().get(level).w();
  }

  /** The point generator. */
  public final MlvlPointGenerator priorGenerator() {
    return priorGenerator;
  }

  /** The box coder: distances (left, top, right, bottom) from a point. */
  public final DistancePointBBoxCoder bboxCoder() {
    return bboxCoder;
  }

  /** The classification loss. */
  public final Loss lossCls() {
    return lossCls;
  }

  /** The loss on decoded positive boxes. */
  public final Loss lossBbox() {
    return lossBbox;
  }

  /** The train config as given (may be null). */
  public final TrainConfig trainCfg() {
    return trainCfg;
  }

  /** The default test config (may be null). */
  public final TestConfig testCfg() {
    return testCfg;
  }

  /** The executor of per-image work, or null for the caller's thread. */
  public final Executor executor() {
    return executor;
  }

  /** The outputs this head reads, in MMDetection's argument order; the first two are cls_scores and bbox_preds. */
  public abstract List<String> outputNames();

  /** Channels of output {@code name} at {@code level}: the same at every level (one point per location). */
  public final int outputChannels(String name, int level) {
    return channels(name);
  }

  /** Priors per location: one point at every level. */
  public final int numBasePriors(int level) {
    return priorGenerator.numBasePriors(level);
  }

  /** Channels of {@code cls_scores}: {@code num_classes} (sigmoid classification). */
  public final int clsOutChannels() {
    return numClasses;
  }

  /** The stride of every level. */
  public final List<Stride> strides() {
    return priorGenerator.strides();
  }

  /**
   * The losses and the gradient of their sum with respect to every output; {@code epoch} (the
   * trainer's 0-based epoch) is read by no point head today.
   *
   * @throws IllegalArgumentException for outputs that do not fit the head, gts / metas that do not
   *     fit the batch, or {@code epoch < 0}
   */
  public abstract io.detkit.heads.HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas,
      int epoch);

  /** Channels of {@code name}'s arrays. */
  protected int channels(String name) {
    return switch (name) {
      case HeadOutputs.CLS_SCORES -> numClasses;
      case HeadOutputs.BBOX_PREDS -> 4;
      default -> 1;
    };
  }

  // ------------------------------------------------------------------------------- points and checks

  /**
   * The points of every level, flat {@code (x, y)} rows in the precision of {@code dtype} (float32
   * values widened, as torch computes them, or float64).
   */
  public final List<double[]> points(List<int[]> featmapSizes, DataType dtype) {
    List<double[]> out = new ArrayList<>();
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] hw = featmapSizes.get(l);
      out.add(dtype == DataType.DOUBLE ? pointsDouble(l, hw[0], hw[1])
          : Tensors.widen(priorGenerator.gridPriorsFlat(l, hw[0], hw[1])));
    }
    return out;
  }

  /** Float64 points: {@code (j + offset) * s} in double (the float32 generator would round them). */
  private double[] pointsDouble(int level, int h, int w) {
    double s = stride(level);
    double off = priorGenerator.offset();
    double[] p = new double[2 * h * w];
    for (int i = 0; i < h; i++) {
      for (int j = 0; j < w; j++) {
        p[2 * (i * w + j)] = (j + off) * s;
        p[2 * (i * w + j) + 1] = (i + off) * s;
      }
    }
    return p;
  }

  /**
   * Checks the outputs against the head: every name of {@link #outputNames()} present with one
   * array per level, NCHW, the right channels, the same batch and map size across outputs, all
   * FLOAT or all DOUBLE. The values are checked to be finite where they are read (loss and
   * predict), in the same pass that copies them, with a message naming the output, level and
   * element.
   *
   * @param numImages the expected batch size, or -1 to take it from the outputs
   * @return the batch's shape
   * @throws IllegalArgumentException naming the output, level and what was expected
   */
  public final PointBatch checkOutputs(HeadOutputs outputs, int numImages) {
    return PointBatch.check(this, outputs, numImages);
  }

  /**
   * The checks of a training call: {@link #checkOutputs} against {@code gts.size()} images, and one
   * meta per image.
   *
   * @throws IllegalArgumentException naming what does not fit
   */
  protected final PointBatch checkTrainingBatch(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas) {
    Tensors.requireNonNull(gts, "gt");
    Tensors.requireNonNull(metas, "img_metas");
    PointBatch batch = checkOutputs(outputs, gts.size());
    if (metas.size() != batch.numImages()) {
      throw new IllegalArgumentException("img_metas must hold one entry per image (" + batch.numImages() + "); got "
          + metas.size());
    }
    return batch;
  }

  // ------------------------------------------------------------------------------- inference

  /**
   * The output whose sigmoid multiplies the class scores before NMS (FCOS: {@code centernesses}), or
   * null for none.
   */
  public String scoreFactorName() {
    return null;
  }

  /** Throws when the head cannot predict yet; by default it can. */
  void checkCanPredict() {
    // Every head of this package predicts through PointPredictor unless it says otherwise.
  }

  /**
   * Detections with the head's {@code test_cfg}, without rescaling, with NMS.
   *
   * @throws IllegalStateException if the head has no test config
   */
  public final List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas) {
    return predict(outputs, metas, null, false, true);
  }

  /**
   * MMDetection's {@code get_bboxes} ({@code BaseDenseHead._get_bboxes_single}), see
   * {@link PointPredictor}.
   *
   * @param cfg the test config, or null for the head's
   * @throws IllegalStateException if there is no test config, or it lacks {@code score_thr}, or
   *     {@code nms} when {@code withNms}
   * @throws IllegalArgumentException for outputs that do not fit the head or metas that do not fit the batch
   */
  public final List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas, TestConfig cfg, boolean rescale,
      boolean withNms) {
    checkCanPredict();
    TestConfig c = cfg != null ? cfg : testCfg;
    if (c == null) {
      throw new IllegalStateException(type + " has no test_cfg; pass one to predict");
    }
    Tensors.requireNonNull(metas, "img_metas");
    PointBatch batch = checkOutputs(outputs, metas.size());
    return new PointPredictor(this, c, rescale, withNms).predict(outputs, batch, metas);
  }
}
