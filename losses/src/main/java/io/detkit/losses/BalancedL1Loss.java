package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

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
 * <p>Shapes: {@code pred} and {@code target} any equal shape; the optional weight broadcasts to
 * it. Config: {@code dict(type='BalancedL1Loss', alpha=0.5, gamma=1.5, beta=1.0,
 * reduction='mean', loss_weight=1.0)}. Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class BalancedL1Loss extends Loss {
  /** The registry name. */
  public static final String TYPE = "BalancedL1Loss";

  private final double alpha;
  private final double gamma;
  private final double beta;
  private final double b;

  /**
   * Builds from an MMDetection config.
   *
   * @throws io.detkit.core.config.ConfigException if {@code alpha}, {@code gamma} or {@code beta}
   *     is not a finite number {@code > 0}
   */
  public BalancedL1Loss(Config c) {
    super(TYPE, c);
    this.alpha = RegressionSupport.positive(c, "alpha", 0.5);
    this.gamma = RegressionSupport.positive(c, "gamma", 1.5);
    this.beta = RegressionSupport.positive(c, "beta", 1.0);
    try {
      this.b = bOf(alpha, gamma);
    } catch (IllegalArgumentException e) {
      throw io.detkit.core.config.ConfigException.at(c.pathOf("gamma"), e.getMessage());
    }
  }

  private BalancedL1Loss(Builder bl) {
    super(TYPE, bl.reduction, bl.lossWeight, bl.checkFinite);
    this.alpha = RegressionSupport.positive("alpha", bl.alpha);
    this.gamma = RegressionSupport.positive("gamma", bl.gamma);
    this.beta = RegressionSupport.positive("beta", bl.beta);
    this.b = bOf(alpha, gamma);
  }

  private static double bOf(double alpha, double gamma) {
    double b = StrictMath.pow(Math.E, gamma / alpha) - 1;
    if (!(b > 0) || Double.isInfinite(b)) {
      throw new IllegalArgumentException("gamma/alpha must give a finite b = e^(gamma/alpha) - 1 > 0; got gamma="
          + gamma + ", alpha=" + alpha);
    }
    return b;
  }

  /** A builder with MMDetection's defaults ({@code alpha=0.5, gamma=1.5, beta=1.0}). */
  public static Builder builder() {
    return new Builder();
  }

  public double alpha() {
    return alpha;
  }

  public double gamma() {
    return gamma;
  }

  public double beta() {
    return beta;
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray target = RegressionSupport.sameShapeTarget(args);
    boolean f32 = RegressionSupport.float32(args.pred(), target);
    double[] p = Tensors.toDoubles(args.pred());
    double[] t = Tensors.toDoubles(target);
    double threshold = f32 ? (float) beta : beta;
    double[] values = new double[p.length];
    double[] deriv = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      double d = RegressionSupport.absDiff(p[i], t[i], f32);
      double s = RegressionSupport.sign(p[i] - t[i]);
      if (d < threshold) {
        double bd = b * d;
        double log = Math.log(bd / beta + 1);
        values[i] = alpha / b * (bd + 1) * log - alpha * d;
        // d/dd of the first branch; (b*d + 1) / (b*d + beta) comes from the chain rule through the log.
        deriv[i] = (alpha * log + alpha * (bd + 1) / (bd + beta) - alpha) * s;
      } else {
        values[i] = gamma * d + gamma / b - alpha * beta;
        deriv[i] = gamma * s;
      }
    }
    return RegressionSupport.diagonal(args.pred().shape(), values, deriv);
  }

  @Override
  public String toString() {
    return TYPE + "(alpha=" + alpha + ", gamma=" + gamma + ", beta=" + beta + ", reduction='"
        + reduction().key() + "', loss_weight=" + lossWeight() + ")";
  }

  /** Builds a {@link BalancedL1Loss}; {@link #build()} requires finite positive alpha, gamma and beta. */
  public static final class Builder extends RegressionLossBuilder<Builder, BalancedL1Loss> {
    private double alpha = 0.5;
    private double gamma = 1.5;
    private double beta = 1.0;

    private Builder() {}

    public Builder alpha(double alpha) {
      this.alpha = alpha;
      return this;
    }

    public Builder gamma(double gamma) {
      this.gamma = gamma;
      return this;
    }

    public Builder beta(double beta) {
      this.beta = beta;
      return this;
    }

    @Override
    public BalancedL1Loss build() {
      return new BalancedL1Loss(this);
    }
  }
}
