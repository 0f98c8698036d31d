package io.detkit.heads;

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
 * {@link #insideIndices()}{@code [k]}. Immutable; array getters return copies.
 */
public final class InsideAnchors {
  private final SingleImageInput image;
  private final boolean[] inside;
  private final int[] insideIdx;
  private final INDArray anchors;

  /**
   * @param image the image's input
   * @param inside one flag per anchor of the image (all levels)
   * @throws IllegalArgumentException if an argument is null or the flags do not cover the anchors
   */
  public InsideAnchors(SingleImageInput image, boolean[] inside) {
    this.image = Tensors.requireNonNull(image, "image");
    Tensors.requireNonNull(inside, "inside");
    if (inside.length != image.numAnchors()) {
      throw new IllegalArgumentException("inside must hold one flag per anchor (" + image.numAnchors() + "); got "
          + inside.length);
    }
    this.inside = inside.clone();
    this.insideIdx = AnchorUtils.indicesOf(inside);
    this.anchors = image.anchorsWhere(inside);
  }

  /** The image's input (ground truth, meta, all anchors, random generator). */
  public SingleImageInput image() {
    return image;
  }

  /** The inside anchors {@code [count, 4]} in the anchors' dtype. */
  public INDArray anchors() {
    return anchors;
  }

  /** Number of inside anchors. */
  public int count() {
    return insideIdx.length;
  }

  /** One flag per anchor of the image (copy). */
  public boolean[] insideFlags() {
    return inside.clone();
  }

  /** Flat index of each inside anchor (copy). */
  public int[] insideIndices() {
    return insideIdx.clone();
  }

  /** Inside anchors per level ({@code get_num_level_anchors_inside}), what ATSS's assigner needs. */
  public int[] numLevelInside() {
    return AnchorUtils.numLevelInside(image.numLevelAnchors(), inside);
  }

  /**
   * ATSS's assignment of these anchors (its per-level candidate choice): {@code assigner} gets each
   * level's inside count ({@link #numLevelInside()}), the image's gt boxes, ignored boxes and labels.
   * The one implementation of the assignment of {@code ATSSHead} and {@code GFLHead} (and of
   * {@code TOODHead}'s initial phase). Called on the executor, concurrently for different images.
   *
   * @return the assignment of the inside anchors, index k for anchor {@code insideIndices()[k]}
   */
  public AssignResult assignPerLevel(BaseAssigner assigner) {
    GroundTruth gt = image.gt();
    return Tensors.requireNonNull(assigner, "assigner").assign(anchors, numLevelInside(), gt.bboxes(),
        gt.bboxesIgnore().orElse(null), gt.labels().orElse(null));
  }

  boolean[] insideNoCopy() {
    return inside;
  }

  int[] insideIndicesNoCopy() {
    return insideIdx;
  }
}
