package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code L1Loss}: the element-wise loss {@code |pred - target|}, whose gradient with
 * respect to {@code pred} is {@code sign(pred - target)} (0 where they are equal, as in PyTorch).
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape; the optional weight broadcasts to
 * it. Config: {@code dict(type='L1Loss', reduction='mean', loss_weight=1.0)}. Immutable and
 * thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class L1Loss extends Loss {
  /** The registry name. */
  public static final String TYPE = "L1Loss";

  /** Builds from an MMDetection config. */
  public L1Loss(Config c) {
    super(TYPE, c);
  }

  private L1Loss(Builder b) {
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
      values[i] = Math.abs(d);
      deriv[i] = RegressionSupport.sign(d);
    }
    return RegressionSupport.diagonal(args.pred().shape(), values, deriv);
  }

  /** Builds an {@link L1Loss}. */
  public static final class Builder extends RegressionLossBuilder<Builder, L1Loss> {
    private Builder() {}

    @Override
    public L1Loss build() {
      return new L1Loss(this);
    }
  }
}
