package io.detkit.heads;

import io.detkit.core.assign.ATSSAssigner;
import io.detkit.core.assign.AssignResult;
import io.detkit.core.assign.BaseAssigner;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the per-image assignment hook ({@link AnchorHead#assign}) receives: one image's anchors that
 * take part in training (valid and inside {@code img_shape} with {@code allowed_border}), as the
 * assigner sees them, with the image's input.
 *
 * <p>Index k of {@link #anchors()} (and of the assignment the hook returns) is flat anchor
 * {@link #insideIndices()}{@code [k]}. An immutable record whose constructor checks that its parts
 * agree; as {@link ImageTargets}' arrays, the flag and index arrays are shared, read-only by contract.
 *
 * <p>What a training step hands a hook ({@link AnchorHead#assign(InsideAnchors)}) is kept from step
 * to step for the image's shape and border: the flags, the indices and the {@code [count, 4]}
 * anchors array are the very objects every later step of that shape receives. Read them only, never
 * modify them in place (a hook that needs other values builds its own arrays and its own
 * {@code InsideAnchors}); the anchors array is not closeable ({@code close()} leaves it as it is).
 *
 * @param image the image's input (ground truth, meta, all anchors, random generator)
 * @param insideFlags one flag per anchor of the image (all levels)
 * @param insideIndices the flat index of each inside anchor, increasing
 * @param anchors the inside anchors {@code [count, 4]} in the anchors' dtype
 */
public record InsideAnchors(SingleImageInput image, boolean[] insideFlags, int[] insideIndices, INDArray anchors) {

  /**
   * @throws IllegalArgumentException if a part is null, the flags do not cover the image's anchors,
   *     or the indices or anchors do not match the flags
   */
  public InsideAnchors {
    Tensors.requireNonNull(image, "image");
    if (Tensors.requireNonNull(insideFlags, "inside").length != image.numAnchors()) {
      throw new IllegalArgumentException("inside must hold one flag per anchor (" + image.numAnchors() + "); got "
          + insideFlags.length);
    }
    Tensors.requireNonNull(insideIndices, "inside_indices");
    if (insideIndices.length != AnchorUtils.countSet(insideFlags)) {
      throw new IllegalArgumentException("inside_indices must list the " + AnchorUtils.countSet(insideFlags)
          + " flagged anchors; got " + insideIndices.length);
    }
    for (int k = 0; k < insideIndices.length; k++) {
      int i = insideIndices[k];
      if (i < 0 || i >= insideFlags.length || !insideFlags[i] || (k > 0 && i <= insideIndices[k - 1])) {
        throw new IllegalArgumentException("inside_indices must be the flagged anchors in increasing order; got " + i
            + " at position " + k);
      }
    }
    if (Tensors.requireNonNull(anchors, "anchors").rank() != 2 || anchors.size(0) != insideIndices.length
        || anchors.size(1) != 4) {
      throw new IllegalArgumentException("anchors must be [" + insideIndices.length + ", 4]; got "
          + Tensors.shapeOf(anchors));
    }
  }

  /**
   * The inside anchors of {@code image} that {@code inside} flags (copied).
   *
   * @throws IllegalArgumentException if an argument is null or the flags do not cover the anchors
   */
  public InsideAnchors(SingleImageInput image, boolean[] inside) {
    this(image, Tensors.requireNonNull(inside, "inside").clone(), AnchorUtils.indicesOf(inside),
        Tensors.requireNonNull(image, "image").anchorsWhere(inside));
  }

  /**
   * The inside anchors of {@code image} with {@code allowedBorder}, kept with its anchors from step
   * to step (one computation per {@code img_shape} and border; the arrays are shared, read-only).
   */
  static InsideAnchors kept(SingleImageInput image, int allowedBorder) {
    InsideAnchorCache.Entry e = image.anchors().insideCache().inside(image.imageIndex(), image.meta(), allowedBorder,
        image.flatAnchorsNoCopy(), image.validFlagsNoCopy(), image::anchorsWhere);
    return new InsideAnchors(image, e.flags(), e.indices(), e.anchors());
  }

  /** Number of inside anchors. */
  public int count() {
    return insideIndices.length;
  }

  /** Inside anchors per level ({@code get_num_level_anchors_inside}), what ATSS's assigner needs. */
  public int[] numLevelInside() {
    return AnchorUtils.numLevelInside(image.numLevelAnchors(), insideFlags);
  }

  /**
   * The assignment of these anchors by {@code assigner}, with the image's gt boxes, ignored boxes and,
   * when {@code withLabels}, its gt labels; an assigner that {@linkplain BaseAssigner#usesLevelCounts()
   * uses level counts} (ATSS) also gets each level's inside count ({@link #numLevelInside()}). The one
   * implementation of every anchor head's assignment ({@link AnchorHead#assign(InsideAnchors)}).
   * Called on the executor, concurrently for different images.
   *
   * @return the assignment of the inside anchors, index k for anchor {@code insideIndices()[k]}
   * @throws IllegalArgumentException if {@code assigner} is null, or as the assigner's {@code assign}
   */
  public AssignResult assign(BaseAssigner assigner, boolean withLabels) {
    Tensors.requireNonNull(assigner, "assigner");
    GroundTruth gt = image.gt();
    INDArray labels = withLabels ? gt.labels().orElse(null) : null;
    INDArray ignored = gt.bboxesIgnore().orElse(null);
    if (!assigner.usesLevelCounts()) {
      return assigner.assign(anchors, null, gt.bboxes(), ignored, labels);
    }
    if (assigner instanceof ATSSAssigner atss && atss.params().alpha() == null) {
      // Plain ATSS over the priors prepared once per image shape: the same result, bit for bit.
      return atss.assign(image.anchors().insideCache().atssPriors(image.imageIndex(), insideFlags,
          image.numLevelAnchors(), anchors), gt.bboxes(), ignored, labels);
    }
    return assigner.assign(anchors, numLevelInside(), gt.bboxes(), ignored, labels);
  }

  // The names TargetBuilder reads the shared arrays by.
  boolean[] insideNoCopy() {
    return insideFlags;
  }

  int[] insideIndicesNoCopy() {
    return insideIndices;
  }
}
