package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Picks the positive and negative priors that the losses train on, from an {@link AssignResult}
 * (MMDetection's {@code BaseSampler.sample} contract).
 *
 * <p>Arguments, boxes as (x1, y1, x2, y2):
 *
 * <ul>
 *   <li>{@code assignResult}: assignment of the {@code N} priors;
 *   <li>{@code bboxes}: {@code [N,C]} floating-point priors or proposals, {@code C >= 4} (columns
 *       after the fourth, such as a proposal score, are dropped by every sampler but
 *       {@link PseudoSampler});
 *   <li>{@code gtBboxes}: {@code [K,4]} floating-point ground truths ({@code [0,4]} when there are
 *       none);
 *   <li>{@code gtLabels}: {@code [K]} integer classes, or null; needed when the sampler adds the
 *       ground truths as proposals.
 * </ul>
 *
 * <p>Reproducibility and threads: every sampler is immutable and may be shared by threads. The
 * overload that takes a {@link RandomGenerator} draws only from that generator, so the same
 * generator state always gives the same result; give each thread its own generator. The overload
 * without one derives a fresh generator per call from the sampler's seed and a per-instance call
 * counter (see {@link SamplerRandom#randomFor(long, long)}): a single-threaded program is reproducible
 * from the seed, and calls never share generator state.
 *
 * <p>Inputs are never modified (MMDetection's {@code add_gt_} mutates the assign result in place;
 * detkit builds a new one).
 */
public interface Sampler {
  /**
   * Samples, drawing every random choice from {@code rng}.
   *
   * @throws IllegalArgumentException when an argument is null where it may not be, has the wrong
   *     shape or dtype, holds a non-finite box value, or does not match the others (assign result length versus {@code bboxes}
   *     rows, positives assigned to a gt that does not exist, {@code gtLabels} length versus
   *     {@code K}, gts to add as proposals without labels)
   */
  SamplingResult sample(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes, INDArray gtLabels,
      RandomGenerator rng);

  /**
   * Samples with a per-call generator derived from the sampler's seed (see the class comment).
   *
   * @throws IllegalArgumentException as {@link #sample(AssignResult, INDArray, INDArray, INDArray,
   *     RandomGenerator)}
   */
  SamplingResult sample(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes, INDArray gtLabels);

  /** Samples without gt labels; throws as the other overloads. */
  default SamplingResult sample(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes) {
    return sample(assignResult, bboxes, gtBboxes, null);
  }
}
