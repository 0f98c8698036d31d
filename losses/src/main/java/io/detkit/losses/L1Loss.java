package io.detkit.losses;

import io.detkit.core.config.Config;

/**
 * MMDetection's {@code L1Loss}: the element-wise loss {@code |pred - target|}, whose gradient with
 * respect to {@code pred} is {@code sign(pred - target)} (0 where they are equal, as in PyTorch).
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape, which the loss keeps; the optional
 * weight broadcasts to it. Config: {@code dict(type='L1Loss', reduction='mean', loss_weight=1.0)}.
 * Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when the
 *     target's shape differs from the prediction's or the weight does not broadcast
 */
public final class L1Loss extends ElementwiseRegressionLoss {
  /** The registry name. */
  public static final String TYPE = "L1Loss";

  /** Builds from an MMDetection config. @throws IllegalArgumentException for a bad common key */
  public L1Loss(Config c) {
    super(TYPE, c);
  }

  private L1Loss(Builder b) {
    super(TYPE, b);
  }

  /** A builder with MMDetection's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  double value(double pred, double target, boolean f32) {
    return Math.abs(pred - target);
  }

  @Override
  double slope(double pred, double target, boolean f32) {
    return RegressionSupport.sign(pred - target);
  }

  /**
   * Builds an {@link L1Loss}; it has only the shared options. {@link #build()} throws
   * {@link IllegalArgumentException} for a non-finite lossWeight.
   */
  public static final class Builder extends LossBuilder<Builder, L1Loss> {
    private Builder() {}

    @Override
    public L1Loss build() {
      return new L1Loss(this);
    }
  }
}
