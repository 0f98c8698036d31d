package io.detkit.core.assign;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Assigns each prior (anchor, point or proposal) to a ground-truth box or to the background, the
 * counterpart of MMDetection's {@code BaseAssigner}.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)} in pixels, {@code [N,4]} arrays (a fifth score column is
 * accepted and ignored, as in MMDetection). Assigners compute in float64 when the priors or the
 * ground truths are DOUBLE and in float32 otherwise, reproducing MMDetection's float32 results bit
 * for bit. Implementations are immutable and thread-safe.
 */
public interface BaseAssigner {
  /**
   * Assigns priors to ground truths.
   *
   * @param bboxes priors {@code [N,4]} or {@code [N,5]}
   * @param numLevelBboxes how many of the priors belong to each pyramid level, in order (summing to
   *     N), or null for a single level; assigners that do not work per level only check the sum
   * @param gtBboxes ground truths {@code [K,4]} (or {@code [K,5]}); K may be 0
   * @param gtBboxesIgnore boxes whose surroundings are ignored {@code [I,4]}, or null
   * @param gtLabels class of each ground truth {@code [K]}: whole numbers &gt;= 0 (an integer
   *     dtype, or a floating one holding whole numbers), or null for a result without labels
   * @return one entry per prior
   * @throws IllegalArgumentException if a required array is null, a shape or dtype is wrong, a
   *     ground-truth or ignore row is not finite or has {@code x2 < x1} / {@code y2 < y1} (the
   *     message names the row), a prior is not finite, a label is negative or fractional, or
   *     {@code numLevelBboxes} does not add up to N
   */
  AssignResult assign(INDArray bboxes, int[] numLevelBboxes, INDArray gtBboxes, INDArray gtBboxesIgnore,
      INDArray gtLabels);

  /**
   * Whether {@link #assign(INDArray, int[], INDArray, INDArray, INDArray) assign} uses
   * {@code numLevelBboxes} beyond checking its sum (ATSS picks its candidates level by level). A
   * head hands its per-level prior counts to such an assigner only, so the head needs no code of its
   * own for it, whichever head the assigner is configured on. Default {@code false}.
   */
  default boolean usesLevelCounts() {
    return false;
  }

  /** {@link #assign(INDArray, int[], INDArray, INDArray, INDArray)} with all priors in one level. */
  default AssignResult assign(INDArray bboxes, INDArray gtBboxes, INDArray gtBboxesIgnore, INDArray gtLabels) {
    return assign(bboxes, null, gtBboxes, gtBboxesIgnore, gtLabels);
  }
}
