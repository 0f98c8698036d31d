package io.detkit.heads.anchorfree;

import io.detkit.core.anchor.MlvlPointGenerator;
import io.detkit.core.coder.DistancePointBBoxCoder;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.Detections;
import io.detkit.heads.GroundTruth;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadStep;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.ImageMeta;
import io.detkit.heads.TestConfig;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * MMDetection's {@code AnchorFreeHead}: the base of dense heads that predict, at every point of a
 * feature map, class scores and the four distances from the point to the box sides (FCOS and the
 * heads built on it). It is a {@link BaseDenseHead} (its settings, its contract) whose priors are the
 * points of {@link MlvlPointGenerator} (one per location), whose coder is
 * {@link DistancePointBBoxCoder}, and which has no assigner ({@link BaseDenseHead#assigner()} is
 * empty: point heads assign by their own rules, and {@code train_cfg} is kept, unread, as in
 * MMDetection). It adds the points, the checks of the outputs and {@link #predict}; subclasses add
 * their targets and losses ({@link #loss(HeadOutputs, List, List, int)}), and are built by a
 * {@link PointHeadBuilder}.
 *
 * <p>Head outputs are lists of per-level NCHW arrays named as in {@link HeadOutputs}
 * ({@code cls_scores} {@code [N, num_classes, H, W]}, {@code bbox_preds} {@code [N, 4, H, W]}, plus
 * a subclass's own); all FLOAT or all DOUBLE. Points are {@code ((j + offset) s, (i + offset) s)} in
 * the cell's row-major order, the same order as the flattened outputs.
 *
 * <p>Immutable and thread-safe: per-image work runs on the head's executor and its results do not
 * depend on the number of threads.
 */
public abstract class AnchorFreeHead extends BaseDenseHead {
  private final MlvlPointGenerator points;

  /**
   * Builds the head a builder describes.
   *
   * @throws IllegalArgumentException as {@link BaseDenseHead}'s constructor, or for a prior
   *     generator other than points, a coder other than distances, or a classification loss the
   *     head cannot train with (see {@link PointHeadBuilder#allowsClassificationLoss})
   */
  protected AnchorFreeHead(PointHeadBuilder<?, ?> b) {
    super(b);
    if (!(priorGenerator() instanceof MlvlPointGenerator p)) {
      throw new IllegalArgumentException(type() + ": the priors must be points (MlvlPointGenerator, set by strides);"
          + " got " + priorGenerator().getClass().getSimpleName());
    }
    this.points = p;
    if (!(bboxCoder() instanceof DistancePointBBoxCoder)) {
      throw new IllegalArgumentException(type() + ": bbox_coder must be DistancePointBBoxCoder; got "
          + bboxCoder().getClass().getSimpleName());
    }
    if (!useSigmoidCls() || !b.allowsClassificationLoss(lossCls())) {
      throw new IllegalArgumentException("loss_cls of " + type() + " must be " + b.allowedClassificationLosses()
          + "; got " + lossCls() + (useSigmoidCls() ? "" : " with use_sigmoid=False"));
    }
  }

  /** The point generator. */
  public final MlvlPointGenerator pointGenerator() {
    return points;
  }

  /** Channels of output {@code name}: the cls_scores and box outputs as declared, 1 for any other (centerness). */
  @Override
  public int outputChannels(String name, int level) {
    return name.equals(HeadOutputs.CLS_SCORES) || name.equals(HeadOutputs.BBOX_PREDS)
        ? super.outputChannels(name, level) : 1;
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
          : Tensors.widen(points.gridPriorsFlat(l, hw[0], hw[1])));
    }
    return out;
  }

  /** Float64 points: {@code (j + offset) * s} in double (the float32 generator would round them). */
  private double[] pointsDouble(int level, int h, int w) {
    double s = stride(level);
    double off = points.offset();
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

  /**
   * The losses and the gradient of their sum with respect to every output ({@link #pointLoss}),
   * carrying the head's targets and intermediate values as its details ({@code FCOSLoss},
   * {@code VFNetLoss}: {@link HeadLoss#details(Class)}). The result's {@code targets()} is empty (it
   * holds anchor-head targets). {@code epoch} (the trainer's 0-based epoch) is read by no point head
   * today. Calls may come from any thread.
   *
   * @throws IllegalArgumentException for outputs that do not fit the head, gts / metas that do not
   *     fit the batch, or {@code epoch < 0}
   */
  @Override
  public final HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch) {
    checkedEpoch(epoch);
    return pointLoss(outputs, gts, metas);
  }

  /**
   * {@link #loss(HeadOutputs, List, List, int)} with the gradients in {@code step}'s reusable arrays
   * (valid until the step's next call: {@link HeadStep}), or in new arrays when {@code step} is
   * null; the same values and bits either way. Caller's thread; one step per thread.
   */
  @Override
  public final HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch,
      HeadStep step) {
    checkedEpoch(epoch);
    return HeadStep.run(step, () -> pointLoss(outputs, gts, metas));
  }

  /**
   * Hook: the head's loss call behind {@link #loss}, with its targets and intermediate values as the
   * result's {@link HeadLoss#details(Class) details}. Calls may come from any thread.
   *
   * @throws IllegalArgumentException for outputs that do not fit the head, or gts / metas that do
   *     not fit the batch
   */
  protected abstract HeadLoss pointLoss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas);

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
   * MMDetection's {@code get_bboxes} ({@code BaseDenseHead._get_bboxes_single}), see
   * {@link PointPredictor}.
   *
   * @param cfg the test config, or null for the head's
   * @throws IllegalStateException if there is no test config, or it lacks {@code score_thr}, or
   *     {@code nms} when {@code withNms}
   * @throws IllegalArgumentException for outputs that do not fit the head or metas that do not fit the batch
   */
  @Override
  public final List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas, TestConfig cfg, boolean rescale,
      boolean withNms) {
    checkCanPredict();
    TestConfig c = cfg != null ? cfg : testCfg().orElseThrow(() -> new IllegalStateException(type()
        + " has no test_cfg; pass one to predict"));
    Tensors.requireNonNull(metas, "img_metas");
    PointBatch batch = checkOutputs(outputs, metas.size());
    return new PointPredictor(this, c, rescale, withNms).predict(outputs, batch, metas);
  }
}
