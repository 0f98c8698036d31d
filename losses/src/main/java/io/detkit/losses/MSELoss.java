package io.detkit.losses;

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
public final class MSELoss extends FormulaRegressionLoss {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Void, MSELoss> TYPE = LossType.of(MSELoss.class, MSELoss::new);

  /** The loss with {@code options}. */
  public MSELoss(LossOptions options) {
    super(options, (p, t, f32) -> (p - t) * (p - t), (p, t, f32) -> 2 * (p - t));
  }
}
