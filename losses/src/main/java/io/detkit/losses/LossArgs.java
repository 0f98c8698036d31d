package io.detkit.losses;

import io.detkit.core.check.Args;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

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
 *
 * <p>The gradient goes into a new array unless the caller hands one in with
 * {@link #gradInto(INDArray)} (reused call after call; {@code LossResult.close()} never closes it):
 * <pre>{@code
 * INDArray grad = Nd4j.create(pred.dataType(), pred.shape());   // once
 * try (LossResult r = loss.forward(LossArgs.of(pred, target).avgFactor(numPos).gradInto(grad))) {
 *   double value = r.scalar();   // r.gradPred() == grad
 * }
 * }</pre>
 */
public final class LossArgs {
  private final INDArray pred;
  private final List<INDArray> targets;
  private final INDArray weight;
  private final Double avgFactor;
  private final Reduction reductionOverride;
  private final INDArray upstream;
  private final INDArray gradInto;

  private LossArgs(INDArray pred, List<INDArray> targets, INDArray weight, Double avgFactor,
      Reduction reductionOverride, INDArray upstream, INDArray gradInto) {
    this.pred = pred;
    this.targets = targets;
    this.weight = weight;
    this.avgFactor = avgFactor;
    this.reductionOverride = reductionOverride;
    this.upstream = upstream;
    this.gradInto = gradInto;
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
    return new LossArgs(pred, List.copyOf(Arrays.asList(targets)), null, null, null, null, null);
  }

  /** Element-wise weights (step 3), broadcast against the element-wise loss; null removes them. */
  public LossArgs weight(INDArray weight) {
    return new LossArgs(pred, targets, weight, avgFactor, reductionOverride, upstream, gradInto);
  }

  /**
   * The divisor that replaces the element count under {@code mean}.
   *
   * @throws IllegalArgumentException if negative or not finite
   */
  public LossArgs avgFactor(double avgFactor) {
    Args.nonNegative("avg_factor", avgFactor);
    return new LossArgs(pred, targets, weight, avgFactor, reductionOverride, upstream, gradInto);
  }

  /** A reduction for this call only, winning over the configured one; null clears it. */
  public LossArgs reductionOverride(Reduction reduction) {
    return new LossArgs(pred, targets, weight, avgFactor, reduction, upstream, gradInto);
  }

  /**
   * The gradient of the caller's objective with respect to this loss's output (same shape as the
   * output: the element-wise loss under {@code none}, a scalar otherwise). Without it the gradient
   * returned is that of the output's sum.
   */
  public LossArgs upstream(INDArray upstream) {
    return new LossArgs(pred, targets, weight, avgFactor, reductionOverride, upstream, gradInto);
  }

  /**
   * Writes the gradient with respect to {@code pred} into {@code out} instead of a new array, so a
   * caller that calls the loss again and again (a training loop, a benchmark) reuses one array and
   * does not page in fresh memory for every call (a 182,403 x 80 float gradient is 58 MB, which the
   * C allocator maps fresh and unmaps again on every call). {@code out} must be a dense C-order array of
   * {@code pred}'s shape and dtype (not a view, offset 0, its buffer no longer than itself) and must
   * not share memory with an input of the call; null goes back to a new array.
   *
   * <p>On success every element of {@code out} is overwritten with the same bits a new array would
   * hold, and the result's {@link LossResult#gradPred()} is {@code out}; the caller keeps owning it:
   * {@link LossResult#close()} leaves it open. When the call throws, {@code out}'s contents are
   * undefined.
   *
   * @throws IllegalArgumentException naming {@code gradInto} and both shapes (or dtypes) when
   *     {@code out} has another shape or dtype than {@code pred}, or is strided, a view or offset
   */
  public LossArgs gradInto(INDArray out) {
    if (out != null) {
      requireGradientFits(out);
    }
    return new LossArgs(pred, targets, weight, avgFactor, reductionOverride, upstream, out);
  }

  private void requireGradientFits(INDArray out) {
    if (out.wasClosed()) {
      throw new IllegalArgumentException("gradInto must be an open array; got one already closed (shape "
          + Tensors.shapeOf(out) + ")");
    }
    if (!Arrays.equals(out.shape(), pred.shape())) {
      throw new IllegalArgumentException("gradInto must have pred's shape " + Tensors.shapeOf(pred) + "; got "
          + Tensors.shapeOf(out));
    }
    if (out.dataType() != pred.dataType()) {
      throw new IllegalArgumentException("gradInto must have pred's dtype " + pred.dataType() + "; got "
          + out.dataType() + " (shape " + Tensors.shapeOf(out) + ")");
    }
    if (!out.isEmpty() && (out.isView() || out.offset() != 0 || out.data().length() != out.length()
        || out.ordering() != 'c' || !Shape.hasDefaultStridesForShape(out))) {
      throw new IllegalArgumentException("gradInto must be a dense C-order array of pred's shape "
          + Tensors.shapeOf(pred) + " (not a view, offset 0, C-order strides); got shape " + Tensors.shapeOf(out)
          + ", strides " + Arrays.toString(out.stride()) + ", order '" + out.ordering() + "', offset " + out.offset());
    }
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

  /** The caller's gradient array set by {@link #gradInto(INDArray)}, if any. */
  public Optional<INDArray> gradInto() {
    return Optional.ofNullable(gradInto);
  }
}
