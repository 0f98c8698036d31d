package io.detkit.losses;

import static io.detkit.core.precision.Precision.round;

/**
 * SmoothL1Loss and BalancedL1Loss: a function of {@code d = |pred - target|} with one branch
 * below {@code beta} and another from {@code beta} on ({@code d == beta} takes the upper one).
 * The test {@code d < beta} and {@code d} itself are taken in the inputs' precision, as PyTorch
 * takes them, so float32 inputs near {@code beta} choose the branch MMDetection chooses; the
 * formulas then run in double precision. The gradient is the branch's slope times
 * {@code sign(pred - target)} (0 where they are equal).
 *
 * <p>Shapes and errors as {@link ElementwiseRegression}; the loss's {@code Params} record is held
 * by {@link ParamLoss}.
 *
 * @param <P> the loss's {@code Params} record
 */
abstract class PiecewiseL1Loss<P extends Record> extends ParamLoss<P> {
  PiecewiseL1Loss(LossOptions options, P params) {
    super(options, params);
  }

  /** The threshold between the two branches, the {@code Params} record's (finite and {@code > 0}). */
  public abstract double beta();

  /** The loss at distance {@code d}, on the lower branch when {@code below} ({@code d < beta}). */
  abstract double valueAt(double d, boolean below);

  /** {@code d valueAt / d d} on the same branch. */
  abstract double slopeAt(double d, boolean below);

  @Override
  protected final Elementwise kernel(LossArgs args) {
    return ElementwiseRegression.kernel(args, this::value, this::slope);
  }

  private double value(double pred, double target, boolean f32) {
    double d = RegressionSupport.absDiff(pred, target, f32);
    return valueAt(d, d < threshold(f32));
  }

  private double slope(double pred, double target, boolean f32) {
    double d = RegressionSupport.absDiff(pred, target, f32);
    return slopeAt(d, d < threshold(f32)) * RegressionSupport.sign(pred - target);
  }

  private double threshold(boolean f32) {
    return round(beta(), f32);
  }
}
