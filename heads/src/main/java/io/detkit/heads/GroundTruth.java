package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The annotations of one image: {@code gt_bboxes} {@code [K,4]} (x1, y1, x2, y2) in the resized
 * image's pixels, optional {@code gt_labels} {@code [K]} (class indices in {@code [0, num_classes)}),
 * and optional {@code gt_bboxes_ignore} {@code [M,4]}: regions whose anchors are neither positive
 * nor negative when the assigner's {@code ignore_iof_thr} is set.
 *
 * <p>Immutable (the arrays are not copied; do not modify them afterwards). K may be 0.
 */
public final class GroundTruth {
  private final INDArray bboxes;
  private final INDArray labels;
  private final INDArray bboxesIgnore;

  private GroundTruth(INDArray bboxes, INDArray labels, INDArray bboxesIgnore) {
    this.bboxes = bboxes;
    this.labels = labels;
    this.bboxesIgnore = bboxesIgnore;
  }

  /**
   * Annotations with labels and ignore regions.
   *
   * @param bboxes {@code [K,4]} floating point, finite, with {@code x1 <= x2} and {@code y1 <= y2}
   * @param labels {@code [K]} whole class indices &gt;= 0 (any dtype), or null (RPN trains
   *     class-agnostic)
   * @param bboxesIgnore {@code [M,4]} like {@code bboxes}, or null
   * @throws IllegalArgumentException for a null {@code bboxes}, a wrong shape or dtype, a
   *     non-finite or inverted box, or a negative or fractional label, naming the argument
   */
  public static GroundTruth of(INDArray bboxes, INDArray labels, INDArray bboxesIgnore) {
    requireAnnotations(bboxes, "gt_bboxes");
    if (labels != null) {
      if (labels.rank() != 1 || labels.length() != bboxes.size(0)) {
        throw new IllegalArgumentException("gt_labels must be [K] with K=" + bboxes.size(0)
            + " (one per gt box); got " + Tensors.shapeOf(labels));
      }
      int[] l = Tensors.toInts(labels, "gt_labels");
      double[] d = Tensors.toDoubles(labels);
      for (int i = 0; i < l.length; i++) {
        if (l[i] < 0 || d[i] != l[i]) {
          throw new IllegalArgumentException("gt_labels must hold class indices >= 0; element " + i + " is " + d[i]);
        }
      }
    }
    if (bboxesIgnore != null) {
      requireAnnotations(bboxesIgnore, "gt_bboxes_ignore");
    }
    return new GroundTruth(bboxes, labels, bboxesIgnore);
  }

  /** The assigners' rules for annotation boxes, checked once up front. */
  private static void requireAnnotations(INDArray boxes, String name) {
    Tensors.requireBoxes(boxes, name);
    double[] v = Tensors.toDoubles(boxes);
    Tensors.requireFinite(v, name);
    Tensors.requireOrderedBoxes(v, name);
  }

  /**
   * Annotations with labels and no ignore regions.
   *
   * @throws IllegalArgumentException as {@link #of(INDArray, INDArray, INDArray)}
   */
  public static GroundTruth of(INDArray bboxes, INDArray labels) {
    return of(bboxes, labels, null);
  }

  /** {@code gt_bboxes} {@code [K,4]}. */
  public INDArray bboxes() {
    return bboxes;
  }

  /** Number of ground-truth boxes K. */
  public int size() {
    return (int) bboxes.size(0);
  }

  /** {@code gt_labels} {@code [K]}, if given. */
  public Optional<INDArray> labels() {
    return Optional.ofNullable(labels);
  }

  /** The labels as ints, or null when none were given. */
  public int[] labelArray() {
    return labels == null ? null : Tensors.toInts(labels, "gt_labels");
  }

  /** {@code gt_bboxes_ignore} {@code [M,4]}, if given. */
  public Optional<INDArray> bboxesIgnore() {
    return Optional.ofNullable(bboxesIgnore);
  }

  /** These annotations without labels (what RPN hands its assigner). */
  public GroundTruth withoutLabels() {
    return labels == null ? this : new GroundTruth(bboxes, null, bboxesIgnore);
  }

  @Override
  public String toString() {
    return "GroundTruth(" + size() + " boxes" + (labels == null ? ", no labels" : "")
        + (bboxesIgnore == null ? "" : ", " + bboxesIgnore.size(0) + " ignored") + ")";
  }
}
