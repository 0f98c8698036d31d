package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.NonNegative;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code VarifocalLoss} (VarifocalNet): per element {@code BCE(x, t) * w} with
 * {@code w = t} (or 1 without {@code iou_weighted}) where {@code t > 0} and
 * {@code w = alpha * |sigmoid(x) - t|^gamma} where {@code t <= 0}. The focal weight is part of the
 * gradient, as in MMDetection.
 *
 * <p>Shapes: {@code pred} logits and {@code target} IoU-aware scores of the same shape (usually
 * {@code [N,C]}); the loss has that shape, {@code 'mean'} divides by its element count and the
 * weight broadcasts against it with PyTorch's rules.
 *
 * <p>Config keys: {@code use_sigmoid} (must be True), {@code alpha} (0.75, must be &gt;= 0),
 * {@code gamma} (2.0), {@code iou_weighted} (True), {@code reduction}, {@code loss_weight}, detkit's
 * {@code check_finite}. Immutable and thread-safe.
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when the target's shape differs from
 * {@code pred}'s, a target is not finite or outside [0, 1], or the weight does not broadcast.
 */
public final class VarifocalLoss extends ParamLoss<VarifocalLoss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, VarifocalLoss> TYPE =
      LossType.of(VarifocalLoss.class, Params.DEFAULTS, VarifocalLoss::new).sigmoidOnly();

  /**
   * VarifocalLoss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param alpha the negatives' weight, finite and {@code >= 0}
   * @param gamma the negatives' focusing exponent, finite and {@code >= 0}
   * @param iouWeighted whether positives are weighted by their target
   */
  @RecordBuilder
  public record Params(@NonNegative double alpha, @NonNegative double gamma, boolean iouWeighted)
      implements VarifocalLossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(0.75, 2.0, true);

    /** @throws IllegalArgumentException {@code "VarifocalLoss: alpha must be a finite number >= 0; got -1.0"} */
    public Params {
      ParamChecks.check(Params.class, alpha, gamma, iouWeighted);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public VarifocalLoss(LossOptions options, Params params) {
    super(options, params);
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    double[] t = Checks.denseTarget(args, type());
    double[] x = Tensors.toDoubles(pred);
    Tensors.requireFinite(t, "VarifocalLoss: target");
    // IoU-aware targets: outside [0, 1] the positive weight and the BCE target make no sense (a
    // target of 3 gives a negative loss), as FocalLoss checks its soft targets.
    ClsMath.requireRange(t, "VarifocalLoss: target", 0.0, 1.0, "IoU-aware scores");
    ClsMath.Bce bce = ClsMath.Bce.of(x, t, false);
    double[] loss = new double[x.length];
    double[] dLoss = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      if (t[i] > 0) {
        // Positives are weighted by their target IoU and not modulated.
        double w = params().iouWeighted() ? t[i] : 1.0;
        loss[i] = bce.loss()[i] * w;
        dLoss[i] = bce.grad()[i] * w;
      } else {
        bce.modulateByDistance(i, t[i], params().alpha(), params().gamma(), loss, dLoss);
      }
    }
    return Elementwise.diagonal(pred.shape(), loss, dLoss);
  }

  @Override
  public String toString() {
    return describe("use_sigmoid=True, alpha=" + params().alpha() + ", gamma=" + params().gamma() + ", iou_weighted="
        + py(params().iouWeighted()));
  }
}
