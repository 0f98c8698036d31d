package io.detkit.losses;

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
public final class L1Loss extends FormulaRegressionLoss {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Void, L1Loss> TYPE = LossType.of(L1Loss.class, L1Loss::new);

  /** The loss with {@code options}. */
  public L1Loss(LossOptions options) {
    super(options, (p, t, f32) -> Math.abs(p - t), (p, t, f32) -> RegressionSupport.sign(p - t));
  }
}
