package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What a head's per-image target step ({@link AnchorHead#getTargetsSingle}) receives: MMDetection's
 * {@code _get_targets_single} arguments for one image.
 *
 * <ul>
 *   <li>the image's anchors over all levels concatenated ({@code flat_anchors} {@code [T,4]}), their
 *       valid flags and the anchor count of each level ({@code num_level_anchors});
 *   <li>the image's {@link GroundTruth} (labels absent for RPN) and {@link ImageMeta};
 *   <li>{@code label_channels} as MMDetection passes it;
 *   <li>the training epoch the trainer handed in ({@link #epoch()});
 *   <li>a random generator private to this image, drawn from before any image ran, so sampling is
 *       reproducible whatever the number of threads.
 * </ul>
 *
 * <p>Immutable; array getters return copies.
 */
public record SingleImageInput(int imageIndex, MultiLevelAnchors anchors, GroundTruth gt, ImageMeta meta,
    int labelChannels, RandomGenerator random, int epoch) {

  /**
   * @param imageIndex the image's position in {@code anchors}' batch
   * @param labelChannels {@code label_channels} as MMDetection passes it (&gt;= 1; heads use it as
   *     given)
   * @throws IllegalArgumentException if an object argument is null, {@code imageIndex} is out of
   *     range for {@code anchors}, or {@code labelChannels < 1}
   */
  public SingleImageInput(int imageIndex, MultiLevelAnchors anchors, GroundTruth gt, ImageMeta meta,
      int labelChannels, RandomGenerator random) {
    this(imageIndex, anchors, gt, meta, labelChannels, random, 0);
  }

  /**
   * As {@link #SingleImageInput(int, MultiLevelAnchors, GroundTruth, ImageMeta, int, RandomGenerator)},
   * in training epoch {@code epoch}: the 0-based training epoch the trainer handed to
   * {@link AnchorHead#loss(HeadOutputs, java.util.List, java.util.List, int)} (0 when it gave none),
   * what a head whose assignment changes during training (TOOD's {@code initial_epoch}) reads.
   * {@code imageIndex} is the image's position in the batch; {@code anchors} the batch's anchors
   * (shared by all images); {@code random} the generator private to this image.
   *
   * @throws IllegalArgumentException as the other constructor, or if {@code epoch < 0}
   */
  public SingleImageInput {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0; got " + epoch);
    }
    Tensors.requireNonNull(anchors, "anchors");
    Tensors.requireIndex(imageIndex, anchors.numImages(), "imageIndex");
    if (labelChannels < 1) {
      throw new IllegalArgumentException("label_channels must be >= 1; got " + labelChannels);
    }
    Tensors.requireNonNull(gt, "gt");
    Tensors.requireNonNull(meta, "meta");
    Tensors.requireNonNull(random, "random");
  }

  /** This image's anchors over all levels: {@code [T,4]} in the anchors' dtype. */
  public INDArray flatAnchors() {
    return anchors.flatAnchors();
  }

  /** This image's anchors as doubles, 4 per anchor (copy). */
  public double[] flatAnchorData() {
    return anchors.flatAnchorData();
  }

  /** Valid flags over all levels (copy). */
  public boolean[] validFlags() {
    return anchors.flatValidFlags(imageIndex);
  }

  /** Anchors per level. */
  public int[] numLevelAnchors() {
    return anchors.numLevelAnchors();
  }

  /** Total anchors T. */
  public int numAnchors() {
    return anchors.totalAnchors();
  }

  /** The dtype of the anchors and targets. */
  public DataType dataType() {
    return anchors.dataType();
  }

  /** The rows of {@code flatAnchors} where {@code mask} is set: {@code [count, 4]}. */
  public INDArray anchorsWhere(boolean[] mask) {
    double[] all = anchors.flatAnchorsNoCopy();
    int[] idx = AnchorUtils.indicesOf(mask);
    double[] out = new double[idx.length * 4];
    for (int k = 0; k < idx.length; k++) {
      System.arraycopy(all, idx[k] * 4, out, k * 4, 4);
    }
    return Tensors.create(out, anchors.dataType(), idx.length, 4);
  }

  /**
   * {@code targets} (this image's) carrying the image's anchors, those not inside set to zeros
   * ({@link AnchorUtils#zeroOutside}): what heads that decode against the anchors (ATSS, GFL) attach
   * in their {@code refineTargets} hook. For the inside flags a training step built, the zeroed
   * anchors are one array kept from step to step for the image's shape, shared by every later step:
   * read-only, never modify it in place (flags of the caller's own get an array of their own).
   *
   * @throws IllegalArgumentException if {@code targets} is null or does not cover this image's anchors
   */
  public ImageTargets withInsideAnchors(ImageTargets targets) {
    Tensors.requireNonNull(targets, "targets");
    return targets.withAnchors(anchors.insideCache().zeroedOutside(imageIndex, flatAnchorsNoCopy(), targets.insideFlags()));
  }

  double[] flatAnchorsNoCopy() {
    return anchors.flatAnchorsNoCopy();
  }

  boolean[] validFlagsNoCopy() {
    return anchors.flatValidFlagsNoCopy(imageIndex);
  }
}
