package io.detkit.heads;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableIntArray;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import io.detkit.samplers.SamplingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The target builder of an {@link AnchorHead} (MMDetection's {@code get_targets} and
 * {@code _get_targets_single}): per image, the anchors inside the image, their assignment (the
 * head's {@link AnchorHead#assign} hook), sampling, the encoded box targets and the weights, then
 * the head's {@link AnchorHead#refineTargets} hook; per batch, the images run on the head's
 * executor and their targets are regrouped per level ({@link HeadTargets}).
 *
 * <p>Get it with {@link AnchorHead#targetBuilder()}. Stateless apart from its head; thread-safe.
 */
public final class TargetBuilder {
  private final AnchorHead head;

  TargetBuilder(AnchorHead head) {
    this.head = head;
  }

  /**
   * Runs {@code step} on every image (on the head's executor; image i draws from the i-th generator
   * split from {@code random}, split in image order before any image runs) and regroups the results
   * per level.
   *
   * @param step one image's targets over all its anchors; called concurrently for different images
   * @return the targets, or empty when no image has an anchor inside it
   * @throws IllegalStateException if the head has no train config
   * @throws IllegalArgumentException if the counts of ground truths, metas and anchor images differ,
   *     or a gt label is not in {@code [0, num_classes)}
   */
  public Optional<HeadTargets> collect(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels, RandomGenerator.SplittableGenerator random, Function<SingleImageInput, ImageTargets> step) {
    return collect(anchors, gts, metas, labelChannels, random, 0, step);
  }

  /**
   * {@link #collect(MultiLevelAnchors, List, List, int, RandomGenerator.SplittableGenerator, Function)}
   * in training epoch {@code epoch}: every image's input and the targets carry it.
   */
  public Optional<HeadTargets> collect(MultiLevelAnchors anchors, List<GroundTruth> gts, List<ImageMeta> metas,
      int labelChannels, RandomGenerator.SplittableGenerator random, int epoch,
      Function<SingleImageInput, ImageTargets> step) {
    head.requireTraining();
    Tensors.requireNonNull(anchors, "anchors");
    Tensors.requireNonNull(random, "random");
    Tensors.requireNonNull(step, "step");
    OutputChecks.checkBatch(gts, metas, anchors.numImages());
    List<SingleImageInput> inputs = new ArrayList<>();
    for (int i = 0; i < anchors.numImages(); i++) {
      int[] labels = gts.get(i).labelArray();
      for (int k = 0; labels != null && k < labels.length; k++) {
        if (labels[k] < 0 || labels[k] >= head.numClasses()) {
          throw new IllegalArgumentException(head.type() + ": gt_labels of image " + i + " must be in [0, num_classes="
              + head.numClasses() + "); gt " + k + " has label " + labels[k]);
        }
      }
      // Split in image order before anything runs, so no image's draws depend on scheduling.
      inputs.add(new SingleImageInput(i, anchors, gts.get(i), metas.get(i), labelChannels, random.split(), epoch));
    }
    List<ImageTargets> images = ImageParallelism.map(head.executor(), inputs, step);
    boolean any = false;
    for (int i = 0; i < images.size(); i++) {
      any |= Tensors.requireNonNull(images.get(i), "targets of image " + i).hasInsideAnchors();
    }
    if (!any) {
      return Optional.empty();
    }
    return Optional.of(HeadTargets.of(anchors.dataType(), head.numClasses(), anchors.numLevelAnchors(), images)
        .withEpoch(epoch));
  }

  /**
   * One image's targets, the default per-image step: the anchors inside the image
   * ({@link AnchorUtils#insideFlags} with {@code allowed_border}), assigned by the head's
   * {@link AnchorHead#assign} hook, sampled, built ({@link #build}), then passed through the head's
   * {@link AnchorHead#refineTargets} hook. An image with no inside anchor gets
   * {@link ImageTargets#empty} targets (no hook runs for it).
   */
  public ImageTargets targetsSingle(SingleImageInput in) {
    InsideAnchors ia = InsideAnchors.kept(in, head.trainCfg().orElseThrow().allowedBorder());
    if (ia.count() == 0) {
      return ImageTargets.empty(in.numAnchors(), head.numClasses(), in.gt().size());
    }
    AssignResult assign = head.assign(ia);
    SamplingResult sr = head.sampler().sample(assign, ia.anchors(), in.gt().bboxes(), null, in.random());
    ImageTargets t = build(ia, assign, sr);
    return Tensors.requireNonNull(head.refineTargets(in, t), head.type() + ".refineTargets result");
  }

  /**
   * The standard targets from an assignment and a sampling of the inside anchors: sampled positives
   * get their gt's label (0 when the ground truth has no labels), weight {@code pos_weight} (1 when
   * {@code <= 0}), the encoded gt box as target (the gt box itself when {@code reg_decoded_bbox})
   * with regression weight 1; sampled negatives get label weight 1; everything is unmapped back to
   * all anchors with label {@code num_classes} and zeros outside.
   *
   * @throws IllegalArgumentException if the sampler added the gt boxes as proposals (anchor heads
   *     index targets by anchor, so {@code add_gt_as_proposals} must be False)
   */
  public ImageTargets build(InsideAnchors ia, AssignResult assign, SamplingResult sr) {
    SingleImageInput in = ia.image();
    int[] insideIdx = ia.insideIndicesNoCopy();
    boolean[] inside = ia.insideNoCopy();
    int n = insideIdx.length;
    if (sr.numBboxes() != n) {
      throw new IllegalArgumentException(head.type() + ": the sampler added the gt boxes as proposals ("
          + sr.numBboxes() + " rows for " + n + " anchors); anchor heads need add_gt_as_proposals=False");
    }
    Precision p = Precision.of(in.dataType());
    int numClasses = head.numClasses();
    // Written straight over all anchors (unmap's result): anchors outside are background with zeros.
    int total = inside.length;
    int[] labels = new int[total];
    Arrays.fill(labels, numClasses);
    double[] labelWeights = new double[total];
    double[] bboxTargets = new double[total * 4];
    double[] bboxWeights = new double[total * 4];
    // The sampling result's arrays are immutable values, read in place; only the per-positive ones
    // the image targets keep are copied.
    ImmutableIntArray pos = sr.posInds();
    ImmutableIntArray neg = sr.negInds();
    int[] posGt = sr.posAssignedGtInds().toArray();
    int[] gtLabels = in.gt().labelArray();
    int[] posFlat = new int[pos.length()];
    if (!pos.isEmpty()) {
      double[] targets = head.regDecodedBbox() ? sr.posGtBboxesData().toArray()
          : encode(sr.posBboxesData(), sr.boxColumns(), sr.posGtBboxesData(), p);
      double posWeight = head.trainCfg().orElseThrow().posWeight();
      posWeight = posWeight <= 0 ? 1.0 : p.round(posWeight);
      for (int k = 0; k < posFlat.length; k++) {
        int i = insideIdx[pos.get(k)];
        posFlat[k] = i;
        for (int c = 0; c < 4; c++) {
          bboxTargets[i * 4 + c] = p.round(targets[k * 4 + c]);
          bboxWeights[i * 4 + c] = 1.0;
        }
        labels[i] = gtLabels == null ? 0 : gtLabels[posGt[k]];
        labelWeights[i] = posWeight;
      }
    }
    int[] negFlat = new int[neg.length()];
    for (int k = 0; k < negFlat.length; k++) {
      negFlat[k] = insideIdx[neg.get(k)];
      labelWeights[negFlat[k]] = 1.0;
    }
    // Every array is this call's own (the flags are the inside anchors', read-only by contract as the
    // targets'), so the record keeps them: ImageTargets.of would copy 1.5 MB a COCO-size ATSS image.
    return new ImageTargets(inside, labels, labelWeights, bboxTargets, bboxWeights, Optional.empty(), posFlat, posGt,
        negFlat, assign, Optional.of(sr), Map.of());
  }

  private double[] encode(ImmutableDoubleArray posBoxes, int cols, ImmutableDoubleArray posGt, Precision p) {
    int m = posGt.length() / 4;
    if (p.isSingle()) {
      float[] b = new float[m * 4];
      float[] g = new float[m * 4];
      for (int k = 0; k < m; k++) {
        for (int c = 0; c < 4; c++) {
          b[k * 4 + c] = (float) posBoxes.get(k * cols + c);
          g[k * 4 + c] = (float) posGt.get(k * 4 + c);
        }
      }
      return Tensors.widen(head.bboxCoder().encode(b, g));
    }
    double[] b = new double[m * 4];
    for (int k = 0; k < m; k++) {
      for (int c = 0; c < 4; c++) {
        b[k * 4 + c] = posBoxes.get(k * cols + c);
      }
    }
    return head.bboxCoder().encode(b, posGt.toArray());
  }
}
