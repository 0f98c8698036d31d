package io.detkit.losses;

import io.detkit.core.config.Config;

/**
 * MMDetection's {@code CIoULoss} (Complete-IoU): per box {@code 1 - clamp(iou - rho2/c2 - alpha*v,
 * -1, 1)}, where {@code v = 4/pi^2 * (atan(w_t/h_t) - atan(w_p/h_p))^2} measures the aspect-ratio
 * mismatch and {@code alpha = [iou > 0.5] * v / (1 - iou + v)} is a constant of the backward pass
 * (MMDetection computes it under {@code no_grad}); formulas and subgradient rules in
 * {@code DistanceIoULoss}.
 *
 * <p>Difference from MMDetection: a perfect prediction ({@code pred == target}, iou rounded to 1,
 * v == 0) makes MMDetection's alpha 0/0 and its loss and gradient NaN; detkit returns the finite
 * limit, alpha = 0, so the loss is {@code 1 - iou} (about {@code eps / area}) with its gradient
 * (docs/mmdet-differences.md).
 *
 * <p>Shapes: {@code pred} and {@code target} {@code [N,4]} boxes (x1, y1, x2, y2); the loss is
 * {@code [N]} under {@code none}. Weight: {@code [N]}, or {@code [N,4]} averaged over the last
 * dimension; when a weight is given and none of it is {@code > 0}, the call returns MMDetection's
 * early {@code (pred * weight).sum()} (rank 0, {@code loss_weight} not applied, any reduction).
 * The gradient is with respect to {@code pred}; {@code target} is a constant.
 *
 * <p>Config: {@code dict(type='CIoULoss', eps=1e-6, reduction='mean', loss_weight=1.0)}.
 * Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when
 *     {@code pred} or {@code target} is not {@code [N,4]}, their shapes differ, or the weight's
 *     shape does not fit
 */
public final class CIoULoss extends DistanceIoULoss {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<EpsParams, CIoULoss> TYPE =
      LossType.of(CIoULoss.class, EpsParams.DEFAULTS, CIoULoss::new);

  /** The loss with {@code options} and {@code params}. */
  public CIoULoss(LossOptions options, EpsParams params) {
    super(options, params, true);
  }
}
