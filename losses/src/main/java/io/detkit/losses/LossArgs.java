package io.detkit.losses;

import io.detkit.core.check.Args;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arguments of one loss call, MMDetection's {@code forward(pred, target, weight=None,
 * avg_factor=None, reduction_override=None)} plus the upstream gradient that replaces autograd.
 *
 * <p>Immutable: every setter returns a copy. Typical use:
 * <pre>{@code
 * LossResult r = loss.forward(LossArgs.of(pred, target).weight(w).avgFactor(numPos));
 * }</pre>
 * Most losses take one target; a few take several ({@code QualityFocalLoss}: labels and scores),
 * given in MMDetection's order.
 *
 * <p>Shapes: {@code pred} and the targets as the loss documents; the weight broadcasts against the
 * element-wise loss unless the loss has its own rule; {@code upstream} has the output's shape.
 * {@link #of} throws {@link IllegalArgumentException} for a null or non-floating-point
 * {@code pred} or a null target, {@link #avgFactor(double)} for a negative or non-finite value, and
 * {@link #target()} / {@link #target(int)} when the call has fewer targets than the loss reads.
 */
public final class LossArgs {
  private final INDArray pred;
  private final List<INDArray> targets;
  private final INDArray weight;
  private final Double avgFactor;
  private final Reduction reductionOverride;
  private final INDArray upstream;

  private LossArgs(INDArray pred, List<INDArray> targets, INDArray weight, Double avgFactor,
      Reduction reductionOverride, INDArray upstream) {
    this.pred = pred;
    this.targets = targets;
    this.weight = weight;
    this.avgFactor = avgFactor;
    this.reductionOverride = reductionOverride;
    this.upstream = upstream;
  }

  /**
   * A call on {@code pred} against {@code targets}.
   *
   * @throws IllegalArgumentException if {@code pred} or a target is null, or {@code pred} is not floating point
   */
  public static LossArgs of(INDArray pred, INDArray... targets) {
    Tensors.requireFloating(pred, "pred");
    for (int i = 0; i < targets.length; i++) {
      Tensors.requireNonNull(targets[i], targets.length == 1 ? "target" : "target[" + i + "]");
    }
    return new LossArgs(pred, List.copyOf(Arrays.asList(targets)), null, null, null, null);
  }

  /** Element-wise weights (step 3), broadcast against the element-wise loss; null removes them. */
  public LossArgs weight(INDArray weight) {
    return new LossArgs(pred, targets, weight, avgFactor, reductionOverride, upstream);
  }

  /**
   * The divisor that replaces the element count under {@code mean}.
   *
   * @throws IllegalArgumentException if negative or not finite
   */
  public LossArgs avgFactor(double avgFactor) {
    Args.nonNegative("avg_factor", avgFactor);
    return new LossArgs(pred, targets, weight, avgFactor, reductionOverride, upstream);
  }

  /** A reduction for this call only, winning over the configured one; null clears it. */
  public LossArgs reductionOverride(Reduction reduction) {
    return new LossArgs(pred, targets, weight, avgFactor, reduction, upstream);
  }

  /**
   * The gradient of the caller's objective with respect to this loss's output (same shape as the
   * output: the element-wise loss under {@code none}, a scalar otherwise). Without it the gradient
   * returned is that of the output's sum.
   */
  public LossArgs upstream(INDArray upstream) {
    return new LossArgs(pred, targets, weight, avgFactor, reductionOverride, upstream);
  }

  public INDArray pred() {
    return pred;
  }

  /** The single target. @throws IllegalArgumentException if the call has not exactly one */
  public INDArray target() {
    if (targets.size() != 1) {
      throw new IllegalArgumentException("this loss takes exactly one target; got " + targets.size());
    }
    return targets.get(0);
  }

  /** Target {@code i}. @throws IllegalArgumentException if there are not that many */
  public INDArray target(int i) {
    if (i >= targets.size()) {
      throw new IllegalArgumentException("this loss needs target[" + i + "]; got " + targets.size() + " target(s)");
    }
    return targets.get(i);
  }

  public int targetCount() {
    return targets.size();
  }

  public Optional<INDArray> weight() {
    return Optional.ofNullable(weight);
  }

  public OptionalDouble avgFactor() {
    return avgFactor == null ? OptionalDouble.empty() : OptionalDouble.of(avgFactor);
  }

  /** {@link #avgFactor()} as the pipeline takes it: null when absent. */
  Double avgFactorOrNull() {
    return avgFactor;
  }

  public Optional<Reduction> reductionOverride() {
    return Optional.ofNullable(reductionOverride);
  }

  public Optional<INDArray> upstream() {
    return Optional.ofNullable(upstream);
  }
}
