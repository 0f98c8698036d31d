package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code SmoothL1Loss}: with {@code d = |pred - target|}, the element-wise loss is
 * {@code 0.5 * d^2 / beta} where {@code d < beta} and {@code d - 0.5 * beta} otherwise ({@code d ==
 * beta} takes the linear branch, compared in the inputs' precision as PyTorch compares it).
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape (box deltas {@code [N,4]} in the
 * heads); the optional weight broadcasts to it. The gradient with respect to {@code pred} is
 * {@code d/beta * sign} on the quadratic branch and {@code sign(pred - target)} on the linear one
 * (0 where {@code pred == target}).
 *
 * <p>Config: {@code dict(type='SmoothL1Loss', beta=1.0, reduction='mean', loss_weight=1.0)}.
 * Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class SmoothL1Loss extends Loss {
  /** The registry name. */
  public static final String TYPE = "SmoothL1Loss";

  private final double beta;

  /**
   * Builds from an MMDetection config.
   *
   * @throws io.detkit.core.config.ConfigException if {@code beta} is not a finite number {@code > 0}
   */
  public SmoothL1Loss(Config c) {
    super(TYPE, c);
    this.beta = RegressionSupport.positive(c, "beta", 1.0);
  }

  private SmoothL1Loss(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
    this.beta = RegressionSupport.positive("beta", b.beta);
  }

  /** A builder with MMDetection's defaults ({@code beta=1.0}). */
  public static Builder builder() {
    return new Builder();
  }

  /** The threshold between the quadratic and the linear branch. */
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
        values[i] = 0.5 * d * d / beta;
        deriv[i] = d / beta * s;
      } else {
        values[i] = d - 0.5 * beta;
        deriv[i] = s;
      }
    }
    return RegressionSupport.diagonal(args.pred().shape(), values, deriv);
  }

  @Override
  public String toString() {
    return TYPE + "(beta=" + beta + ", reduction='" + reduction().key() + "', loss_weight=" + lossWeight() + ")";
  }

  /** Builds a {@link SmoothL1Loss}; {@link #build()} rejects a {@code beta} that is not finite and positive. */
  public static final class Builder extends RegressionLossBuilder<Builder, SmoothL1Loss> {
    private double beta = 1.0;

    private Builder() {}

    /** The branch threshold ({@code beta}), default 1.0. */
    public Builder beta(double beta) {
      this.beta = beta;
      return this;
    }

    @Override
    public SmoothL1Loss build() {
      return new SmoothL1Loss(this);
    }
  }
}
