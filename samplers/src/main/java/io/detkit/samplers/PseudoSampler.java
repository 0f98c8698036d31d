package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import java.util.random.RandomGenerator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code PseudoSampler}: no sampling, every positive ({@code gt_inds > 0}) and every
 * negative ({@code gt_inds == 0}) in ascending index order ({@code torch.nonzero} order); ignored
 * priors are in neither set. No gt boxes are added, so {@code pos_is_gt} is all false, and
 * {@code bboxes} keeps all its columns. Deterministic: the generator arguments are never used.
 *
 * <p>Config: {@code dict(type='PseudoSampler')}; Java: {@link #INSTANCE}.
 */
public final class PseudoSampler implements Sampler {
  /** The only instance; the sampler has no parameters. */
  public static final PseudoSampler INSTANCE = new PseudoSampler();

  private PseudoSampler() {}

  /** @param rng unused (may be null) */
  @Override
  public SamplingResult sample(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes,
      INDArray gtLabels, RandomGenerator rng) {
    return sample(assignResult, bboxes, gtBboxes, gtLabels);
  }

  @Override
  public SamplingResult sample(AssignResult assignResult, INDArray bboxes, INDArray gtBboxes,
      INDArray gtLabels) {
    SamplerInputs in = SamplerInputs.read(assignResult, bboxes, gtBboxes, gtLabels);
    return SamplingResult.create(IndexSampling.positives(in.assignResult), IndexSampling.negatives(in.assignResult),
        in.boxes, in.n, in.cols, in.boxType, null, in.assignResult, in.gtBoxes, in.k, in.gtType);
  }

  @Override
  public String toString() {
    return "PseudoSampler()";
  }
}
