package io.detkit.tools.model;

import java.util.Objects;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * How a {@link DetectorNet} updates its parameters: a DL4J updater (holding the learning-rate
 * schedule), PyTorch-style L2 weight decay added to the gradient ({@code l2}, SGD's and Adam's
 * {@code weight_decay}), decoupled weight decay ({@code decoupledWeightDecay}, AdamW's) and
 * global gradient-norm clipping ({@code maxGradNorm}, 0 for none).
 *
 * @throws IllegalArgumentException for a negative or non-finite coefficient
 */
public record OptimizerSpec(IUpdater updater, double l2, double decoupledWeightDecay, double maxGradNorm) {
  public OptimizerSpec {
    Objects.requireNonNull(updater, "updater");
    for (double v : new double[] {l2, decoupledWeightDecay, maxGradNorm}) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalArgumentException("weight decay and max_norm must be finite and >= 0; got l2=" + l2
            + ", decoupled=" + decoupledWeightDecay + ", max_norm=" + maxGradNorm);
      }
    }
  }
}
