package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code MSELoss}: the element-wise loss {@code (pred - target)^2}, gradient
 * {@code 2 * (pred - target)}.
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape (MMDetection would broadcast with a
 * warning; detkit rejects the mismatch); the optional weight broadcasts to it. Config:
 * {@code dict(type='MSELoss', reduction='mean', loss_weight=1.0)}. Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class MSELoss extends Loss {
  /** The registry name. */
  public static final String TYPE = "MSELoss";

  /** Builds from an MMDetection config. */
  public MSELoss(Config c) {
    super(TYPE, c);
  }

  private MSELoss(Builder b) {
    super(TYPE, b.reduction, b.lossWeight, b.checkFinite);
  }

  /** A builder with MMDetection's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray target = RegressionSupport.sameShapeTarget(args);
    double[] p = Tensors.toDoubles(args.pred());
    double[] t = Tensors.toDoubles(target);
    double[] values = new double[p.length];
    double[] deriv = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      double d = p[i] - t[i];
      values[i] = d * d;
      deriv[i] = 2 * d;
    }
    return RegressionSupport.diagonal(args.pred().shape(), values, deriv);
  }

  /** Builds an {@link MSELoss}. */
  public static final class Builder extends RegressionLossBuilder<Builder, MSELoss> {
    private Builder() {}

    @Override
    public MSELoss build() {
      return new MSELoss(this);
    }
  }
}
