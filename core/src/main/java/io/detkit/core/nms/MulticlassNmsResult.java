package io.detkit.core.nms;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of {@link Nms#multiclassNms}, in MMDetection's order (descending score; equal scores:
 * lower flat index first): {@code dets [k,5]} ({@code x1, y1, x2, y2, score} with the score after
 * {@code score_factors}), {@code labels [k]} (0-based class), and {@code inds [k]}, the flat index
 * {@code prior * numClasses + class} of each kept detection (MMDetection's {@code return_inds}).
 *
 * <p>Immutable; array getters return copies.
 */
public final class MulticlassNmsResult {
  private final INDArray dets;
  private final int[] labels;
  private final int[] inds;

  MulticlassNmsResult(INDArray dets, int[] labels, int[] inds) {
    this.dets = dets;
    this.labels = labels;
    this.inds = inds;
  }

  /** {@code [k,5]} boxes and scores, in the input boxes' dtype. */
  public INDArray dets() {
    return dets.dup();
  }

  /** Class of each detection, INT64 {@code [k]}. */
  public INDArray labels() {
    return Tensors.createLong(labels, labels.length);
  }

  /** Flat {@code prior * numClasses + class} index of each detection, INT64 {@code [k]}. */
  public INDArray inds() {
    return Tensors.createLong(inds, inds.length);
  }

  /** The kept class labels as ints, one per detection (copy). */
  public int[] labelArray() {
    return labels.clone();
  }

  /** The kept indices {@code prior * C + class} into the flattened scores, one per detection (copy). */
  public int[] indArray() {
    return inds.clone();
  }

  /** Number of detections. */
  public int size() {
    return labels.length;
  }

  @Override
  public String toString() {
    return "MulticlassNmsResult(detections=" + labels.length + ")";
  }
}
