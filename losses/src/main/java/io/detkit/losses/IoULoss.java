package io.detkit.losses;

import static io.detkit.core.precision.Precision.round;

import com.google.common.base.Preconditions;
import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigKey;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.PositiveFloat32;
import io.detkit.core.config.RecordBinder;
import io.soabase.recordbuilder.core.RecordBuilder;

/**
 * MMDetection's {@code IoULoss} (UnitBox): per box, with {@code iou} the aligned overlap of core's
 * {@code bbox_overlaps} (its own eps, 1e-6) clamped below at {@code eps},
 * {@code 1 - iou} ({@code mode='linear'}), {@code 1 - iou^2} ({@code 'square'}) or
 * {@code -ln(iou)} ({@code 'log'}, the default). Where the overlap is below {@code eps} the clamp
 * stops the gradient, as in PyTorch. The gradient through the overlap is core's
 * {@link BboxOverlaps#alignedVjp}.
 *
 * <p>Shapes: {@code pred} and {@code target} {@code [N,4]} boxes (x1, y1, x2, y2); the loss is
 * {@code [N]} under {@code none}. Weight: {@code [N]}, or {@code [N,4]} averaged over the last
 * dimension. When a weight is given, none of it is {@code > 0} and the reduction is not
 * {@code none}, the call returns MMDetection's early {@code (pred * weight).sum()} (rank 0,
 * {@code loss_weight} not applied).
 *
 * <p>Config: {@code dict(type='IoULoss', mode='log', linear=False, eps=1e-6, reduction='mean',
 * loss_weight=1.0)}; the legacy {@code linear=True} means {@code mode='linear'}. Immutable and
 * thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when
 *     {@code pred} or {@code target} is not {@code [N,4]}, their shapes differ, a coordinate is not
 *     finite, or the weight's shape does not fit
 */
public final class IoULoss extends AlignedOverlapLoss<IoULoss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, IoULoss> TYPE = LossType.of(IoULoss.class,
      RecordBinder.of(Params.DEFAULTS)
          .then((c, p) -> c.getBoolean("linear", false) ? p.withMode(Mode.LINEAR) : p),
      IoULoss::new);

  /** How the IoU becomes a loss. */
  public enum Mode implements ConfigKey {
    /** {@code 1 - iou}. */
    LINEAR,
    /** {@code 1 - iou^2}. */
    SQUARE,
    /** {@code -ln(iou)}. */
    LOG
  }

  /**
   * IoULoss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param mode how the clamped IoU becomes the loss (MMDetection's legacy {@code linear=True} is
   *     {@link Mode#LINEAR})
   * @param eps the IoU's lower clamp, {@code > 0} and finite in float32
   */
  @RecordBuilder
  public record Params(Mode mode, @PositiveFloat32 double eps) implements IoULossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(Mode.LOG, 1e-6);

    /**
     * @throws NullPointerException if {@code mode} is null
     * @throws IllegalArgumentException for a bad {@code eps}
     */
    public Params {
      Preconditions.checkNotNull(mode, "mode");
      ParamChecks.check(Params.class, mode, eps);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public IoULoss(LossOptions options, Params params) {
    super(options, params, params.eps());
  }

  @Override
  boolean shortcutApplies(Reduction r) {
    return r != Reduction.NONE;
  }

  @Override
  OverlapMode overlapMode() {
    return OverlapMode.IOU;
  }

  @Override
  double overlapEps() {
    return BboxOverlaps.DEFAULT_EPS;
  }

  @Override
  void lossOf(double[] ious, double[] values, double[] deriv, boolean f32) {
    // eps is the lower clamp of the IoU, not the overlap's own eps (which stays 1e-6, as in MMDetection).
    double lo = round(eps(), f32);
    for (int i = 0; i < ious.length; i++) {
      double iou = ious[i];
      boolean passes = iou >= lo;
      double c = passes ? iou : lo;
      switch (params().mode()) {
        case LINEAR:
          values[i] = 1 - c;
          deriv[i] = passes ? -1 : 0;
          break;
        case SQUARE:
          values[i] = 1 - c * c;
          deriv[i] = passes ? -2 * c : 0;
          break;
        default:
          values[i] = -Math.log(c);
          deriv[i] = passes ? -1 / c : 0;
          break;
      }
    }
  }

  @Override
  public String toString() {
    return describe("mode='" + params().mode().key() + "', eps=" + eps());
  }
}
