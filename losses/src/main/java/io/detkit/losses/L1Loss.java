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

  /** The loss with {@code options}. */
  public L1Loss(LossOptions options) {
    super(TYPE, options);
  }

  /** Builds from an MMDetection config. @throws IllegalArgumentException for a bad common key */
  public static L1Loss fromConfig(Config c) {
    return LossOptions.build(c, L1Loss::new);
  }

  /** A builder with MMDetection's defaults; it has only the shared options. */
  public static LossBuilder<Void, L1Loss> builder() {
    return LossBuilder.of(L1Loss::new);
  }

  @Override
  double value(double pred, double target, boolean f32) {
    return Math.abs(pred - target);
  }

  @Override
  double slope(double pred, double target, boolean f32) {
    return RegressionSupport.sign(pred - target);
  }
}
