package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Positive;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * MMDetection's {@code SmoothL1Loss}: with {@code d = |pred - target|}, the element-wise loss is
 * {@code 0.5 * d^2 / beta} where {@code d < beta} and {@code d - 0.5 * beta} otherwise ({@code d ==
 * beta} takes the linear branch, compared in the inputs' precision as PyTorch compares it).
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape (box deltas {@code [N,4]} in the
 * heads), which the loss keeps; the optional weight broadcasts to it. The gradient with respect to
 * {@code pred} is {@code d/beta * sign} on the quadratic branch and {@code sign(pred - target)} on
 * the linear one (0 where {@code pred == target}).
 *
 * <p>Config: {@code dict(type='SmoothL1Loss', beta=1.0, reduction='mean', loss_weight=1.0)}.
 * Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class SmoothL1Loss extends PiecewiseL1Loss<SmoothL1Loss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, SmoothL1Loss> TYPE =
      LossType.of(SmoothL1Loss.class, Params.DEFAULTS, SmoothL1Loss::new);

  /**
   * SmoothL1Loss's own parameter, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param beta the threshold between the quadratic and the linear branch, finite and {@code > 0}
   */
  @RecordBuilder
  public record Params(@Positive double beta) implements SmoothL1LossParamsBuilder.With {
    /** MMDetection's default. */
    public static final Params DEFAULTS = new Params(1.0);

    /** @throws IllegalArgumentException {@code "beta must be a finite number > 0; got 0.0"} */
    public Params {
      ParamChecks.check(Params.class, beta);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public SmoothL1Loss(LossOptions options, Params params) {
    super(options, params);
  }

  @Override
  public double beta() {
    return params().beta();
  }

  @Override
  double valueAt(double d, boolean below) {
    return smoothL1(d, beta(), below);
  }

  @Override
  double slopeAt(double d, boolean below) {
    return smoothL1Slope(d, beta(), below);
  }

  /**
   * The smooth L1 of a distance {@code d >= 0}: {@code 0.5 d^2 / beta} when {@code below} beta,
   * else {@code d - 0.5 beta}. BoundedIoULoss applies it to its four terms.
   */
  static double smoothL1(double d, double beta, boolean below) {
    return below ? 0.5 * d * d / beta : d - 0.5 * beta;
  }

  /** {@code d smoothL1 / d d}: {@code d / beta} when {@code below} beta, else 1. */
  static double smoothL1Slope(double d, double beta, boolean below) {
    return below ? d / beta : 1.0;
  }

  @Override
  public String toString() {
    return describe("beta=" + beta());
  }
}
