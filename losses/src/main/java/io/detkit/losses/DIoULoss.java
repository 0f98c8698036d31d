package io.detkit.losses;

import io.detkit.core.config.Config;

/**
 * MMDetection's {@code DIoULoss} (Distance-IoU, AAAI 2020): per box {@code 1 - iou + rho2 / c2},
 * where {@code rho2} is the squared distance between the centres of the predicted and target
 * boxes and {@code c2} the squared diagonal of their enclosing box (plus {@code eps}); formulas and
 * subgradient rules in {@code DistanceIoULoss}.
 *
 * <p>Shapes: {@code pred} and {@code target} {@code [N,4]} boxes (x1, y1, x2, y2); the loss is
 * {@code [N]} under {@code none}. Weight: {@code [N]}, or {@code [N,4]} averaged over the last
 * dimension; when a weight is given and none of it is {@code > 0}, the call returns MMDetection's
 * early {@code (pred * weight).sum()} (rank 0, {@code loss_weight} not applied, any reduction).
 * The gradient is with respect to {@code pred}; {@code target} is a constant.
 *
 * <p>Config: {@code dict(type='DIoULoss', eps=1e-6, reduction='mean', loss_weight=1.0)}.
 * Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when
 *     {@code pred} or {@code target} is not {@code [N,4]}, their shapes differ, or the weight's
 *     shape does not fit
 */
public final class DIoULoss extends DistanceIoULoss {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<EpsParams, DIoULoss> TYPE =
      LossType.of(DIoULoss.class, EpsParams.DEFAULTS, DIoULoss::new);

  /** The loss with {@code options} and {@code params}. */
  public DIoULoss(LossOptions options, EpsParams params) {
    super(options, params, false);
  }
}
