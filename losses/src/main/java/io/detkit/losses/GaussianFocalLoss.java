package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.NonNegative;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code GaussianFocalLoss} (CornerNet / CenterNet heatmaps): with probabilities
 * {@code p} and a Gaussian heatmap target {@code t}, per element
 * {@code -log(p + eps) (1 - p)^alpha [t == 1] - log(1 - p + eps) p^alpha (1 - t)^gamma}, eps = 1e-12.
 * Only elements where the target is exactly 1 are positives.
 *
 * <p>Shapes: {@code pred} (probabilities in [0, 1]) and {@code target} (in [0, 1]) share any shape,
 * which the loss keeps; {@code 'mean'} divides by the element count and the weight broadcasts
 * against it. p exactly 0 or 1 stays finite thanks to eps; with {@code alpha < 1} the derivative of
 * {@code (1 - p)^alpha} at p = 1 (and of {@code p^alpha} at p = 0) is infinite, as it is in
 * MMDetection.
 *
 * <p>Config keys: {@code alpha} (2.0), {@code gamma} (4.0), {@code reduction}, {@code loss_weight},
 * detkit's {@code check_finite}. Immutable and thread-safe.
 *
 * <p>{@link #forward} throws {@link IllegalArgumentException} when the target's shape differs from
 * {@code pred}'s, a probability or target leaves [0, 1], or the weight does not broadcast.
 */
public final class GaussianFocalLoss extends ParamLoss<GaussianFocalLoss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, GaussianFocalLoss> TYPE =
      LossType.of(GaussianFocalLoss.class, Params.DEFAULTS, GaussianFocalLoss::new);
  private static final double EPS = 1e-12;

  /**
   * GaussianFocalLoss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param alpha the exponent of {@code (1 - p)} and {@code p}, finite and {@code >= 0}
   * @param gamma the exponent of the negatives' {@code (1 - t)}, finite and {@code >= 0}
   */
  @RecordBuilder
  public record Params(@NonNegative double alpha, @NonNegative double gamma)
      implements GaussianFocalLossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(2.0, 4.0);

    /** @throws IllegalArgumentException {@code "GaussianFocalLoss: alpha must be a finite number >= 0; got -1.0"} */
    public Params {
      ParamChecks.check(Params.class, alpha, gamma);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public GaussianFocalLoss(LossOptions options, Params params) {
    super(options, params);
  }

  /**
   * With {@code alpha < 1} the derivatives of {@code (1 - pred)^alpha} and {@code pred^alpha} are
   * infinite at a prediction of exactly 1 or 0: true poles, returned as infinity as MMDetection
   * does (docs/mmdet-differences.md).
   */
  @Override
  protected boolean hasPoles() {
    return params().alpha() < 1;
  }

  @Override
  protected Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    double[] t = Checks.denseTarget(args, type());
    double[] p = Tensors.toDoubles(pred);
    ClsMath.requireRange(p, "GaussianFocalLoss: pred", 0.0, 1.0, "probabilities");
    ClsMath.requireRange(t, "GaussianFocalLoss: target", 0.0, 1.0, "heatmap values");
    double alpha = params().alpha();
    double gamma = params().gamma();
    double[] loss = new double[p.length];
    double[] dLoss = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      double pi = p[i];
      double posW = t[i] == 1.0 ? 1.0 : 0.0;
      double negW = ClsMath.pow(1 - t[i], gamma);
      double logP = Math.log(pi + EPS);
      double logQ = Math.log(1 - pi + EPS);
      double q = 1 - pi;
      double pos = 0;
      double dPos = 0;
      if (posW != 0) {
        double qa = ClsMath.pow(q, alpha);
        pos = -logP * qa;
        dPos = -qa / (pi + EPS) + ClsMath.scaledPowGrad(-logP, q, alpha, -1.0);
      }
      double neg = 0;
      double dNeg = 0;
      if (negW != 0) {
        double pa = ClsMath.pow(pi, alpha);
        neg = -logQ * pa * negW;
        dNeg = (pa / (1 - pi + EPS) + ClsMath.scaledPowGrad(-logQ, pi, alpha, 1.0)) * negW;
      }
      loss[i] = pos + neg;
      dLoss[i] = dPos + dNeg;
    }
    return Elementwise.diagonal(pred.shape(), loss, dLoss);
  }

  @Override
  public String toString() {
    return describe("alpha=" + params().alpha() + ", gamma=" + params().gamma());
  }
}
