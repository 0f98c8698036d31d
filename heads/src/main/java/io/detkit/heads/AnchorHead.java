package io.detkit.heads;

import io.detkit.core.anchor.PriorGenerator;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.precision.Precision;
import io.detkit.losses.Loss;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection 2.x's {@code AnchorHead}: turns the raw outputs of an anchor-based dense head into
 * training targets, losses and their gradients ({@link #loss}), and into detections
 * ({@link #predict}). The convolutions that produce the outputs are not part of detkit: the outputs
 * come in as arrays (see {@link HeadOutputs} for their NCHW layout), and the gradients go back out.
 *
 * <p>This class is the front users configure and subclass (its settings and their getters come from
 * {@link BaseDenseHead}); the work is done by its parts, each
 * with one job: {@link AnchorGrid} (anchors and their validity), {@link OutputChecks},
 * {@link TargetBuilder} (assign, sample, encode, weights), {@link LossComputer} (per-level losses
 * and gradients) and {@link Predictor} ({@code get_bboxes}). {@code docs/architecture.md} follows
 * one training step and one prediction through them.
 *
 * <h2>Hooks (override in a subclass; each says which thread calls it)</h2>
 * <ul>
 *   <li>{@link #outputNames()} / {@link #outputChannels}: the outputs the head declares;
 *   <li>{@link #targetStep}: the per-image target step of a loss call, given its outputs (an
 *       assignment that reads the predictions);
 *   <li>{@link #assign(InsideAnchors)}: one image's assignment;
 *   <li>{@link #refineTargets(SingleImageInput, ImageTargets)}: one image's targets after
 *       assignment (re-weight, soft targets; or hand in a {@link TargetTransform});
 *   <li>{@link #refineBatchTargets(HeadTargets)}: the batch's targets regrouped per level;
 *   <li>{@link #avgFactor}, {@link #levelLosses}, {@link #clsLoss}, {@link #bboxLoss}: the losses
 *       (add a term, swap a loss);
 *   <li>{@link #scoreFactorName()}, {@link #predictScores}, {@link #decodePredictions},
 *       {@link #predictSingle}, {@link #postProcess}: inference.
 * </ul>
 *
 * <h2>Threads and randomness</h2>
 * Per-image steps run on the configured executor (default: the common fork-join pool; null runs
 * them in the caller's thread). Each image gets its own random generator, split from a root
 * generator before any image starts, the root being seeded from the head's {@code seed} and a
 * per-head call counter. Results are therefore identical for any executor or thread count, and a
 * fresh head with the same seed replays the same sampling. The head is otherwise immutable and may
 * be shared by threads.
 *
 * <h2>Precision</h2>
 * All outputs of a call share one floating dtype. FLOAT outputs are computed with float32 rounding
 * in MMDetection's operation order (anchors, targets and decoded boxes included), DOUBLE outputs in
 * float64 ({@link Precision}); targets, gradients and detections come back in the outputs' dtype.
 * Boxes are {@code (x1, y1, x2, y2)} in the network input's pixels.
 *
 * <h2>Errors</h2>
 * Methods throw {@link IllegalArgumentException} when the level count or an output's shape does
 * not match the anchor generator (the message names the output, the level and both shapes), when an
 * output is not floating point or the outputs mix dtypes, when the image, ground-truth and meta
 * counts differ or one of them is null ({@code gts[1] must not be null}), when an output holds a
 * NaN or infinite value ({@code AnchorHead: cls_scores[0] must be finite; element 7 is NaN}), or
 * when an annotation is malformed; {@link IllegalStateException} when training is asked of a head
 * without {@code train_cfg}. Config factories throw {@link ConfigException} naming the key.
 */
public class AnchorHead extends BaseDenseHead {
  private final AnchorGrid anchorGrid = new AnchorGrid(this);
  private final OutputChecks outputChecks = new OutputChecks(this);
  private final TargetBuilder targetBuilder = new TargetBuilder(this);
  private final LossComputer lossComputer = new LossComputer(this);
  private final Predictor predictor = new Predictor(this);

  /**
   * Builds the head a builder describes.
   *
   * @throws IllegalArgumentException as {@link BaseDenseHead}'s constructor, or if the prior
   *     generator does not produce boxes
   */
  protected AnchorHead(HeadBuilder<?, ?> b) {
    super(b);
    if (priorGenerator().priorDim() != 4) {
      throw new IllegalArgumentException(type() + ": anchor_generator must produce boxes (prior dim 4); got a "
          + priorGenerator().getClass().getSimpleName() + " with prior dim " + priorGenerator().priorDim());
    }
  }

  /**
   * From a config dict ({@code type='AnchorHead'}; keys: {@link HeadBuilder#fromConfig}).
   * @throws ConfigException naming the key for a missing, invalid or unknown parameter
   */
  public static AnchorHead fromConfig(Config c) {
    return new Builder().fromConfig(c);
  }

  /** The anchor generator. */
  public final PriorGenerator anchorGenerator() {
    return priorGenerator();
  }

  /** Anchors per location of {@code level}. */
  public final int numBaseAnchors(int level) {
    return numBasePriors(level);
  }

  /** The part that checks outputs. */
  public final OutputChecks outputChecks() {
    return outputChecks;
  }

  /** The part that builds targets. */
  public final TargetBuilder targetBuilder() {
    return targetBuilder;
  }

  /** The part that computes losses and gradients. */
  public final LossComputer lossComputer() {
    return lossComputer;
  }

  /** The part that turns outputs into detections. */
  public final Predictor predictor() {
    return predictor;
  }

  // ---------------------------------------------------------------------------------------------
  // Anchors and targets

  /** MMDetection's {@code get_anchors}; see {@link AnchorGrid#getAnchors}. */
  public MultiLevelAnchors getAnchors(List<int[]> featmapSizes, List<ImageMeta> metas, DataType dtype) {
    return anchorGrid.getAnchors(featmapSizes, metas, dtype);
  }

  /**
   * Training targets of a batch (MMDetection's {@code get_targets}). Each image's step draws from a
   * generator derived from the head's seed and call counter.
   *
   * @return the targets, or empty when no image has an anchor inside it (an image without one gets
   *     {@link ImageTargets#empty} targets and the others train as usual)
   * @throws IllegalStateException if the head has no train config
   * @throws IllegalArgumentException if the counts of ground truths, metas and anchor images differ
   */
  public Optional<HeadTargets> getTargets(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels) {
    return getTargets(anchors, gts, metas, labelChannels, nextRandomRoot());
  }

  /**
   * {@link #getTargets(MultiLevelAnchors, List, List, int)} drawing from {@code random}: image i uses
   * the i-th generator split from it; per image {@link #getTargetsSingle}, then
   * {@link #refineBatchTargets}.
   */
  public Optional<HeadTargets> getTargets(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels, RandomGenerator.SplittableGenerator random) {
    return getTargets(anchors, gts, metas, labelChannels, random, 0);
  }

  /** As the other {@code getTargets}, in training epoch {@code epoch} ({@link SingleImageInput#epoch()}). */
  public Optional<HeadTargets> getTargets(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels, RandomGenerator.SplittableGenerator random, int epoch) {
    return targetBuilder.collect(anchors, gts, metas, labelChannels, random, epoch, this::getTargetsSingle)
        .map(this::refineBatchTargets);
  }

  /**
   * Hook: one image's whole target step (MMDetection's {@code _get_targets_single}); the default is
   * {@link TargetBuilder#targetsSingle}, which calls {@link #assign} and {@link #refineTargets}.
   * Override it only to replace the step (an anchor-free head); prefer the two finer hooks.
   * Called on the executor, concurrently for different images.
   *
   * @return the image's targets over all its anchors ({@link ImageTargets#empty} when none is inside)
   */
  protected ImageTargets getTargetsSingle(SingleImageInput in) {
    return targetBuilder.targetsSingle(in);
  }

  /**
   * Hook: the per-image target step of one {@link #loss} call, given the call's checked outputs and
   * anchors. The default is {@link #getTargetsSingle}, which does not read the outputs; a head whose
   * assignment reads the predictions (TOOD's task-aligned assigner) returns a step that does
   * (typically reading each image's rows from arrays it prepared here, once per call). Called on the
   * caller's thread; the step it returns is called on the executor, concurrently for different
   * images.
   */
  protected java.util.function.Function<SingleImageInput, ImageTargets> targetStep(HeadOutputs outputs,
      MultiLevelAnchors anchors) {
    return this::getTargetsSingle;
  }

  /**
   * Hook: one image's assignment. Receives the inside anchors with the image's input; returns the
   * assignment of those anchors, index k for anchor {@code insideIndices()[k]}. The default runs the
   * head's assigner with the gt boxes, the ignored boxes and, unless the head samples, the gt labels,
   * and with each level's inside count for an assigner that uses them (ATSS:
   * {@link InsideAnchors#assign}). Called on the executor, concurrently for different images.
   * {@code in}'s flags, indices and anchors array are kept across steps (see {@link InsideAnchors}):
   * read-only, never modify them in place; the anchors array is not closeable.
   */
  protected AssignResult assign(InsideAnchors in) {
    return in.assign(requireAssigner(), !sampling());
  }

  /**
   * Hook: one image's targets after assignment and sampling. Receives the image's input and its
   * targets over all anchors; returns the targets to train with, over the same anchors (change
   * {@code label_weights}/{@code bbox_weights} to re-weight anchor by anchor, attach extras with
   * {@link ImageTargets#withExtra}). The default applies the builder's {@link TargetTransform}, if
   * any. Called on the executor, concurrently for different images; not called for an image with
   * no inside anchor. The targets' inside flags, and the anchors {@link SingleImageInput#withInsideAnchors}
   * attaches, are kept across steps (see {@link ImageTargets}): read-only, never modify them in place.
   */
  protected ImageTargets refineTargets(SingleImageInput in, ImageTargets targets) {
    return targetTransform().map(f -> f.apply(in, targets)).orElse(targets);
  }

  /**
   * Hook: the batch's targets regrouped per level, before the losses; returns the targets to use
   * (e.g. with level extras, {@link HeadTargets#withLevelExtra}, as ATSS attaches its centerness
   * targets). The default returns them as they are. Called on the caller's thread.
   */
  protected HeadTargets refineBatchTargets(HeadTargets targets) {
    return targets;
  }

  // ---------------------------------------------------------------------------------------------
  // Losses

  /**
   * MMDetection's {@code loss} in training epoch {@code epoch}, which the hooks read
   * ({@link SingleImageInput#epoch()}, {@link LevelLosses#epoch()}): see
   * {@link BaseDenseHead#loss(HeadOutputs, List, List, int)}; new gradient arrays every call.
   * @throws IllegalArgumentException for mismatched shapes or counts (see the class comment), or
   *     {@code epoch < 0}; {@link IllegalStateException} if the head has no train config
   */
  @Override
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch) {
    return loss(outputs, gts, metas, epoch, null);
  }

  /**
   * {@link #loss(HeadOutputs, List, List, int)} with its gradients in {@code step}'s reusable arrays
   * (valid until the step's next call: {@link HeadStep}), or in new arrays when {@code step} is null;
   * the same values and bits either way. Caller's thread; one step per thread.
   */
  @Override
  public HeadLoss loss(HeadOutputs outputs, List<GroundTruth> gts, List<ImageMeta> metas, int epoch, HeadStep step) {
    return TrainingStep.run(this, outputs, gts, metas, epoch, step);
  }

  /** {@link #loss(HeadOutputs, List, List)} for classification and regression outputs. */
  public HeadLoss loss(List<INDArray> clsScores, List<INDArray> bboxPreds, List<GroundTruth> gts,
      List<ImageMeta> metas) {
    return loss(HeadOutputs.of(clsScores, bboxPreds), gts, metas);
  }

  /**
   * The loss dict from computed targets (checked outputs, the batch's anchors and targets): by
   * default {@link LossComputer#loss}, per level {@link #levelLosses}. Override to change the whole
   * batch computation (ATSS normalises its box loss by the batch's centerness). Caller's thread.
   */
  public HeadLoss lossFromTargets(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets targets) {
    return lossComputer.loss(outputs, anchors, targets);
  }

  /**
   * Hook: the factor the losses average by: {@code num_total_pos}, plus {@code num_total_neg} when
   * sampling. Caller's thread.
   */
  protected double avgFactor(HeadTargets t) {
    return sampling() ? t.numTotalPos() + t.numTotalNeg() : t.numTotalPos();
  }

  /**
   * Hook: one level's loss terms. Receives the level's context; puts each term's value with
   * {@link LevelLosses#put} and adds its gradient to {@link LevelLosses#grads()}. The default puts
   * {@link #clsLoss} under {@code loss_cls} and {@link #bboxLoss} under {@code loss_bbox}; call
   * {@code super} and put another term to add one. Caller's thread, levels in order.
   */
  protected void levelLosses(LevelLosses level) {
    level.put(clsLossName(), clsLoss(level));
    level.put(bboxLossName(), bboxLoss(level));
  }

  /**
   * Hook: one level's classification loss, its gradient added to {@code cls_scores}; the default is
   * {@link LossComputer#clsLoss(LevelLosses)}. Override to swap the loss or its targets (soft
   * targets: {@link LossComputer#clsLoss(LevelLosses, Loss, double[])}). Caller's thread.
   */
  protected double clsLoss(LevelLosses level) {
    return lossComputer.clsLoss(level);
  }

  /**
   * Hook: one level's regression loss, its gradient added to {@code bbox_preds}; the default is
   * {@link LossComputer#bboxLoss(LevelLosses)}. Caller's thread.
   */
  protected double bboxLoss(LevelLosses level) {
    return lossComputer.bboxLoss(level);
  }

  // ---------------------------------------------------------------------------------------------
  // Inference

  /**
   * Hook: the output whose sigmoid multiplies the class scores before NMS (MMDetection's
   * {@code score_factors}; ATSS: {@code centernesses}), or null for none.
   */
  protected String scoreFactorName() {
    return null;
  }

  /**
   * MMDetection's {@code get_bboxes}: per image and level, class scores (sigmoid, or softmax without
   * the background column), the (anchor, class) pairs scoring strictly above {@code score_thr}, of
   * those the {@code nms_pre} best (a Python slice: -1 drops the lowest), decoded and clipped to
   * {@code img_shape}; levels concatenated; divided by {@code scale_factor} when {@code rescale};
   * scores multiplied by the score factors (ATSS); then class-aware NMS and the first
   * {@code max_per_img}, or, without NMS, every candidate in level order.
   *
   * @param cfg the test config, or null for the head's
   * @throws IllegalStateException if neither a config nor the head's test config is there, or the
   *     config lacks what this head needs ({@code score_thr}, or {@code nms} when {@code withNms})
   * @throws IllegalArgumentException for outputs that do not fit the head
   */
  @Override
  public List<Detections> predict(HeadOutputs outputs, List<ImageMeta> metas, TestConfig cfg, boolean rescale,
      boolean withNms) {
    return predictor.predict(outputs, metas, cfg, rescale, withNms);
  }

  /**
   * Hook: one image of {@link #predict}; the default is {@link Predictor#predictSingle}. Called on
   * the executor, concurrently for different images.
   */
  protected Detections predictSingle(Predictor.ImageOutputs out, MultiLevelAnchors anchors, ImageMeta meta,
      TestConfig cfg, boolean rescale, boolean withNms) {
    return predictor.predictSingle(out, anchors, meta, cfg, rescale, withNms);
  }

  /**
   * Hook: the class scores {@link #predict} ranks, for the {@code n} anchors of {@code level} of one
   * image. Receives the rows of {@code cls_scores} ({@code n * cls_out_channels} values, anchor-major)
   * in the outputs' precision; returns {@code n * num_classes} scores, anchor-major. The default is
   * {@link Predictor#classScores}: sigmoid, or softmax without the background column (a head whose
   * outputs are already probabilities, TOOD's, returns them as they are). Called on the executor,
   * concurrently for different images.
   */
  protected double[] predictScores(int level, double[] clsRows, int n, Precision p) {
    return predictor.classScores(clsRows, n, p);
  }

  /**
   * Hook: the boxes of one image's kept candidates at {@code level} in {@link #predict}. Receives
   * their anchors (4 values each) and their rows of {@code bbox_preds} (the output's channels per
   * anchor: 4 for deltas, more for a head that predicts distributions) and the image's
   * {@code img_shape} {@code (h, w)} to clip to; returns 4 box values per candidate in pixels. The
   * default is {@link Predictor#decode} with the head's coder, clipped. Called on the executor,
   * concurrently for different images.
   */
  protected double[] decodePredictions(int level, double[] anchors, double[] bboxPredRows, int[] imgShape,
      Precision p) {
    return predictor.decode(anchors, bboxPredRows, imgShape, p);
  }

  /**
   * Hook: one image's post-processing. Receives its decoded candidates (levels concatenated);
   * returns its detections. The default is {@link Predictor#postProcess}: rescale, NMS within
   * groups, {@code max_per_img}. Called on the executor, concurrently for different images.
   */
  protected Detections postProcess(Predictor.Candidates candidates, ImageMeta meta, TestConfig cfg, boolean rescale,
      boolean withNms, DataType dtype) {
    return Predictor.postProcess(candidates, meta, cfg, rescale, withNms, dtype);
  }

  @Override
  public String toString() {
    return type() + "(num_classes=" + numClasses() + ", cls_out_channels=" + clsOutChannels() + ", anchors/location="
        + Arrays.toString(anchorGenerator().numBasePriors()) + ", loss_cls=" + lossCls() + ", loss_bbox=" + lossBbox()
        + ", sampling=" + sampling() + ", reg_decoded_bbox=" + regDecodedBbox() + ")";
  }

  /** Builder of a plain {@link AnchorHead}, with MMDetection's defaults ({@link HeadBuilder}). */
  public static final class Builder extends HeadBuilder<Builder, AnchorHead> {
    /** A builder with MMDetection's defaults. */
    public Builder() {
      super(AnchorHead.class, AnchorHead::new);
    }
  }
}
