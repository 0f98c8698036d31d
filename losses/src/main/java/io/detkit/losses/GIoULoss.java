package io.detkit.losses;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.config.Config;

/**
 * MMDetection's {@code GIoULoss} (Generalized IoU, CVPR 2019): per box {@code 1 - giou}, where
 * {@code giou} is core's aligned {@code bbox_overlaps(mode='giou', eps=eps)} (union and enclosing
 * area clamped below at {@code eps}); the gradient is core's {@link BboxOverlaps#alignedVjp}, with
 * PyTorch's subgradients at ties and clamps.
 *
 * <p>Shapes: {@code pred} and {@code target} {@code [N,4]} boxes (x1, y1, x2, y2); the loss is
 * {@code [N]} under {@code none}. Weight: {@code [N]}, or {@code [N,4]} averaged over the last
 * dimension; when a weight is given and none of it is {@code > 0}, the call returns MMDetection's
 * early {@code (pred * weight).sum()} (rank 0, {@code loss_weight} not applied, any reduction).
 *
 * <p>Config: {@code dict(type='GIoULoss', eps=1e-6, reduction='mean', loss_weight=1.0)}.
 * Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when
 *     {@code pred} or {@code target} is not {@code [N,4]}, their shapes differ, a coordinate is not
 *     finite, or the weight's shape does not fit
 */
public final class GIoULoss extends AlignedOverlapLoss<EpsParams> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<EpsParams, GIoULoss> TYPE =
      LossType.of(GIoULoss.class, EpsParams.DEFAULTS, GIoULoss::new);

  /** The loss with {@code options} and {@code params}. */
  public GIoULoss(LossOptions options, EpsParams params) {
    super(options, params, params.eps());
  }

  @Override
  OverlapMode overlapMode() {
    return OverlapMode.GIOU;
  }

  @Override
  double overlapEps() {
    return eps();
  }

  @Override
  void lossOf(double[] gious, double[] values, double[] deriv, boolean f32) {
    for (int i = 0; i < gious.length; i++) {
      values[i] = 1 - gious[i];
      deriv[i] = -1;
    }
  }
}
