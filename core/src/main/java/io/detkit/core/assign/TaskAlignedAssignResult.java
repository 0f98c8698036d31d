package io.detkit.core.assign;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What {@link TaskAlignedAssigner} returns for one image: the {@link AssignResult} plus the
 * alignment metric of each positive with its gt (MMDetection's extra {@code assign_metrics}
 * attribute, which TOOD normalises into its classification targets), and, for inspection, the
 * full metric matrix and the top-k candidates it was decided from. Immutable.
 */
public final class TaskAlignedAssignResult {
  private final AssignResult result;
  private final double[] assignMetrics;
  private final double[] alignmentMetrics;
  private final int[] candidates;
  private final int numCandidates;

  TaskAlignedAssignResult(AssignResult result, double[] assignMetrics, double[] alignmentMetrics, int[] candidates,
      int topk) {
    this.result = result;
    this.assignMetrics = assignMetrics;
    this.alignmentMetrics = alignmentMetrics;
    this.candidates = candidates;
    this.numCandidates = result.numGts() == 0 ? 0 : Math.min(topk, result.size());
  }

  /** The assignment: gt indices, IoUs (-1e8 for non-positives), labels. */
  public AssignResult assignResult() {
    return result;
  }

  /** Per prior, the alignment metric with its assigned gt; 0 for non-positives. A copy. */
  public double[] assignMetrics() {
    return assignMetrics.clone();
  }

  /** {@link #assignMetrics()} as a {@code [N]} array of {@code type}. */
  public INDArray assignMetricsArray(DataType type) {
    return Tensors.create(assignMetrics, type, assignMetrics.length);
  }

  /**
   * {@code s^alpha * iou^beta} for every prior and gt, {@code [N,K]} of {@code type}; empty
   * ({@code [0]}) when there was no gt or no prior, as MMDetection then computes none.
   */
  public INDArray alignmentMetricsArray(DataType type) {
    if (alignmentMetrics.length == 0) {
      return Tensors.create(new double[0], type, 0);
    }
    return Tensors.create(alignmentMetrics, type, result.size(), result.numGts());
  }

  /**
   * The candidates of each gt in {@code torch.topk} order, {@code [min(topk, N), K]} INT64 prior
   * indices; empty when there was no gt or no prior.
   */
  public INDArray candidatesArray() {
    return Tensors.createLong(candidates, numCandidates, candidates.length == 0 ? 0 : result.numGts());
  }
}
