package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Positive;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * MMDetection's {@code BalancedL1Loss} (Libra R-CNN). With {@code d = |pred - target|} and
 * {@code b = e^(gamma/alpha) - 1} (computed in double precision, as MMDetection computes it with
 * NumPy), the element-wise loss is
 * <pre>
 *   alpha/b * (b*d + 1) * ln(b*d/beta + 1) - alpha*d     where d &lt; beta
 *   gamma*d + gamma/b - alpha*beta                        otherwise
 * </pre>
 * The branch test {@code d < beta} is taken in the inputs' precision, as PyTorch takes it; the
 * two branches meet with equal slope only for {@code beta == 1}, so it matters elsewhere.
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape, which the loss keeps; the optional
 * weight broadcasts to it. Config: {@code dict(type='BalancedL1Loss', alpha=0.5, gamma=1.5,
 * beta=1.0, reduction='mean', loss_weight=1.0)}. Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class BalancedL1Loss extends PiecewiseL1Loss<BalancedL1Loss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, BalancedL1Loss> TYPE =
      LossType.of(BalancedL1Loss.class, Params.DEFAULTS, BalancedL1Loss::new);

  private final double b;

  /**
   * BalancedL1Loss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param alpha the lower branch's scale, finite and {@code > 0}
   * @param gamma the upper branch's slope, finite and {@code > 0}, with {@code e^(gamma/alpha)} finite
   * @param beta the threshold between the branches, finite and {@code > 0}
   */
  @RecordBuilder
  public record Params(@Positive double alpha, @Positive double gamma, @Positive double beta)
      implements BalancedL1LossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(0.5, 1.5, 1.0);

    /** @throws IllegalArgumentException naming the parameter out of range */
    public Params {
      ParamChecks.check(Params.class, alpha, gamma, beta);
      double a = alpha;
      double g = gamma;
      ParamChecks.param("gamma", () -> bOf(a, g));
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public BalancedL1Loss(LossOptions options, Params params) {
    super(options, params);
    this.b = bOf(params.alpha(), params.gamma());
  }

  @Override
  public double beta() {
    return params().beta();
  }

  private static double bOf(double alpha, double gamma) {
    double b = StrictMath.pow(Math.E, gamma / alpha) - 1;
    if (!(b > 0) || Double.isInfinite(b)) {
      throw new IllegalArgumentException("BalancedL1Loss: gamma/alpha must give a finite b = e^(gamma/alpha) - 1 > 0;"
          + " got gamma=" + gamma + ", alpha=" + alpha);
    }
    return b;
  }

  @Override
  double valueAt(double d, boolean below) {
    double alpha = params().alpha();
    double gamma = params().gamma();
    if (below) {
      double bd = b * d;
      return alpha / b * (bd + 1) * Math.log(bd / beta() + 1) - alpha * d;
    }
    return gamma * d + gamma / b - alpha * beta();
  }

  @Override
  double slopeAt(double d, boolean below) {
    double alpha = params().alpha();
    if (below) {
      double bd = b * d;
      // (b*d + 1) / (b*d + beta) comes from the chain rule through the log.
      return alpha * Math.log(bd / beta() + 1) + alpha * (bd + 1) / (bd + beta()) - alpha;
    }
    return params().gamma();
  }

  @Override
  public String toString() {
    return describe("alpha=" + params().alpha() + ", gamma=" + params().gamma() + ", beta=" + beta());
  }
}
