package io.detkit.losses;

import io.detkit.core.config.Config;

/**
 * MMDetection's {@code MSELoss}: the element-wise loss {@code (pred - target)^2}, gradient
 * {@code 2 * (pred - target)}.
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape, which the loss keeps (MMDetection
 * would broadcast with a warning; detkit rejects the mismatch); the optional weight broadcasts to
 * it. Config: {@code dict(type='MSELoss', reduction='mean', loss_weight=1.0)}. Immutable and
 * thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class MSELoss extends ElementwiseRegressionLoss {
  /** The registry name. */
  public static final String TYPE = "MSELoss";

  /** Builds from an MMDetection config. @throws IllegalArgumentException for a bad common key */
  public MSELoss(Config c) {
    super(TYPE, c);
  }

  private MSELoss(Builder b) {
    super(TYPE, b);
  }

  /** A builder with MMDetection's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  double value(double pred, double target, boolean f32) {
    double d = pred - target;
    return d * d;
  }

  @Override
  double slope(double pred, double target, boolean f32) {
    return 2 * (pred - target);
  }

  /**
   * Builds an {@link MSELoss}; it has only the shared options. {@link #build()} throws
   * {@link IllegalArgumentException} for a non-finite lossWeight.
   */
  public static final class Builder extends LossBuilder<Builder, MSELoss> {
    private Builder() {}

    @Override
    public MSELoss build() {
      return new MSELoss(this);
    }
  }
}
