package io.detkit.core.nms;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The outcome of {@link Nms#batchedNms}: the kept boxes with their scores, {@code dets [k,5]}
 * ({@code x1, y1, x2, y2, score}, in the boxes' dtype), and their indices into the input,
 * {@code keep [k]}, both in descending score order (equal scores: lower input index first).
 * {@link MulticlassNmsResult} adds the class of each detection.
 *
 * <p>Immutable; {@link #keepIndices()} returns a copy. Only this package creates results.
 */
public class NmsResult {
  private final INDArray dets;
  private final int[] keep;

  NmsResult(INDArray dets, int[] keep) {
    this.dets = dets;
    this.keep = keep;
  }

  /** {@code [k,5]} kept boxes and scores. */
  public INDArray dets() {
    return dets.dup();
  }

  /** Kept input indices as an INT64 {@code [k]} array. */
  public INDArray keep() {
    return Tensors.createLong(keep, keep.length);
  }

  /** Kept input indices. */
  public int[] keepIndices() {
    return keep.clone();
  }

  /** Number of kept boxes. */
  public int size() {
    return keep.length;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(kept=" + keep.length + ")";
  }
}
