package io.detkit.core.nms;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of {@link Nms#multiclassNms}, in MMDetection's order (descending score; equal scores:
 * lower flat index first): {@code dets [k,5]} ({@code x1, y1, x2, y2, score} with the score after
 * {@code score_factors}), {@code labels [k]} (0-based class), and {@code inds [k]}, the flat index
 * {@code prior * numClasses + class} of each kept detection (MMDetection's {@code return_inds}),
 * which are this result's {@linkplain #keep() kept indices}.
 *
 * <p>Immutable; array getters return copies.
 */
public final class MulticlassNmsResult extends NmsResult {
  private final int[] labels;

  MulticlassNmsResult(INDArray dets, int[] labels, int[] inds) {
    super(dets, inds);
    this.labels = labels;
  }

  /** Class of each detection, INT64 {@code [k]}. */
  public INDArray labels() {
    return Tensors.createLong(labels, labels.length);
  }

  /** The kept class labels as ints, one per detection (copy). */
  public int[] labelArray() {
    return labels.clone();
  }

  /** Flat {@code prior * numClasses + class} index of each detection, INT64 {@code [k]}: {@link #keep()}. */
  public INDArray inds() {
    return keep();
  }

  /** The kept indices {@code prior * C + class} into the flattened scores (copy): {@link #keepIndices()}. */
  public int[] indArray() {
    return keepIndices();
  }
}
