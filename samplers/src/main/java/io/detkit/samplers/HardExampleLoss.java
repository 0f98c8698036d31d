package io.detkit.samplers;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The per-candidate loss {@link OHEMSampler} ranks candidates by: MMDetection computes it by
 * running the RoI head on the candidates ({@code hard_mining}); detkit leaves that to the caller.
 *
 * <p>Called at most twice per {@code sample} call (once for positives, once for negatives, and only
 * when there are more candidates than the budget), possibly from several threads at once when the
 * sampler is shared: implementations must be thread-safe and must not keep the arrays.
 */
@FunctionalInterface
public interface HardExampleLoss {
  /** The label passed for negative candidates; map it to the head's background class. */
  int BACKGROUND = -1;

  /**
   * The loss of each candidate; larger means harder.
   *
   * @param inds the candidates' rows in the sampled box set (the gt rows first when gts were added
   *     as proposals), ascending
   * @param labels per candidate: the assigner's label for positives, {@link #BACKGROUND} for
   *     negatives
   * @param boxes the candidates' boxes, {@code [inds.length,4]} (x1, y1, x2, y2) in the box dtype
   * @return one finite loss per candidate
   */
  double[] losses(int[] inds, int[] labels, INDArray boxes);
}
