package io.detkit.losses;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.config.Config;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Positive;
import io.detkit.core.config.ParamChecks.PositiveFloat32;
import io.detkit.core.tensor.Tensors;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code BoundedIoULoss} (Fitness NMS and Bounded IoU Loss): four per-coordinate
 * terms for the centre offsets and the sizes, each passed through a smooth L1 with threshold
 * {@code beta}:
 * <pre>
 *   dx = cx_t - cx_p,  loss_dx = 1 - max((w_t - 2|dx|) / (w_t + 2|dx| + eps), 0)   (dy alike)
 *   loss_dw = 1 - min(w_t / (w_p + eps), w_p / (w_t + eps))                        (dh alike)
 *   loss = 0.5 * l^2 / beta where l &lt; beta, else l - 0.5 * beta
 * </pre>
 * Widths are {@code x2 - x1} (MMDetection 2.x, no +1). The target terms are constants (MMDetection
 * computes them under {@code no_grad}); ties of min/max split the gradient in half and
 * {@code |0|} has derivative 0, as in PyTorch.
 *
 * <p>Shapes: {@code pred} and {@code target} {@code [N,4]} boxes (x1, y1, x2, y2); the loss is
 * {@code [N,4]} (columns dx, dy, dw, dh) under {@code none}. Weight: anything that broadcasts to
 * {@code [N,4]} (not averaged, unlike the other IoU losses); when a weight is given and none of it
 * is {@code > 0}, the call returns MMDetection's early {@code (pred * weight).sum()} (rank 0,
 * {@code loss_weight} not applied, any reduction).
 *
 * <p>Config: {@code dict(type='BoundedIoULoss', beta=0.2, eps=1e-3, reduction='mean',
 * loss_weight=1.0)}. Immutable and thread-safe.
 *
 * @see Loss#forward(LossArgs) for what a call throws: an {@link IllegalArgumentException} when
 *     {@code pred} or {@code target} is not {@code [N,4]}, their shapes differ, or the weight does
 *     not broadcast to {@code [N,4]}
 */
public final class BoundedIoULoss extends BoxLoss<BoundedIoULoss.Params> {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder()}, the registry's entry ({@link LossType}). */
  public static final LossType<Params, BoundedIoULoss> TYPE =
      LossType.of(BoundedIoULoss.class, Params.DEFAULTS, BoundedIoULoss::new);

  /**
   * BoundedIoULoss's own parameters, checked here once for {@code TYPE.fromConfig} and {@code TYPE.builder()}.
   *
   * @param beta the smooth-L1 threshold of the four terms, finite and {@code > 0}
   * @param eps the bound's eps, {@code > 0} and finite in float32
   */
  @RecordBuilder
  public record Params(@Positive double beta, @PositiveFloat32 double eps)
      implements BoundedIoULossParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(0.2, 1e-3);

    /** @throws IllegalArgumentException naming the parameter out of range */
    public Params {
      ParamChecks.check(Params.class, beta, eps);
    }
  }

  /** The loss with {@code options} and {@code params}. */
  public BoundedIoULoss(LossOptions options, Params params) {
    super(options, params, params.eps());
  }

  @Override
  boolean perBox() {
    return false;
  }

  @Override
  Elementwise kernelOf(INDArray pred, INDArray target) {
    double[] p = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    int n = p.length / 4;
    boolean f32 = RegressionSupport.float32(pred, target);
    double beta = params().beta();
    double threshold = round(beta, f32);
    double[] values = new double[4 * n];
    // d loss / d pred, one 4x4 block per box: row = loss column (dx, dy, dw, dh), col = coordinate.
    double[] jac = new double[16 * n];
    double[] comb = new double[4];
    double[] dComb = new double[16];
    for (int i = 0; i < n; i++) {
      int o = 4 * i;
      Arrays.fill(dComb, 0);
      centreTerm(p[o], p[o + 2], t[o], t[o + 2], comb, 0, dComb, 0, 2);
      centreTerm(p[o + 1], p[o + 3], t[o + 1], t[o + 3], comb, 1, dComb, 1, 3);
      sizeTerm(p[o], p[o + 2], t[o], t[o + 2], comb, 2, dComb, 0, 2);
      sizeTerm(p[o + 1], p[o + 3], t[o + 1], t[o + 3], comb, 3, dComb, 1, 3);
      for (int k = 0; k < 4; k++) {
        boolean below = comb[k] < threshold;
        values[o + k] = SmoothL1Loss.smoothL1(comb[k], beta, below);
        double dl = SmoothL1Loss.smoothL1Slope(comb[k], beta, below);
        for (int j = 0; j < 4; j++) {
          jac[16 * i + 4 * k + j] = dl * dComb[4 * k + j];
        }
      }
    }
    return new Elementwise(new long[] {n, 4}, values, up -> {
      double[] g = new double[4 * n];
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < 4; k++) {
          double u = up[4 * i + k];
          if (u == 0) {
            continue;
          }
          for (int j = 0; j < 4; j++) {
            g[4 * i + j] += u * jac[16 * i + 4 * k + j];
          }
        }
      }
      return g;
    });
  }

  /**
   * {@code 1 - max((w_t - 2|d|) / (w_t + 2|d| + eps), 0)} with {@code d = c_t - c_p} along one
   * axis; writes the term to {@code comb[k]} and its derivatives with respect to the low and high
   * predicted coordinates ({@code lo}, {@code hi}) into row {@code k} of {@code dComb}.
   */
  private void centreTerm(double pLo, double pHi, double tLo, double tHi, double[] comb, int k, double[] dComb,
      int lo, int hi) {
    double d = (tLo + tHi) * 0.5 - (pLo + pHi) * 0.5;
    double tw = tHi - tLo;
    double a = Math.abs(d);
    double num = tw - 2 * a;
    double den = tw + 2 * a + eps();
    double f = num / den;
    comb[k] = 1 - Math.max(f, 0);
    // d f / d a = (-2 * den - 2 * num) / den^2; a = |d|, d depends on each predicted coordinate by -1/2.
    double dfda = (-2 * den - 2 * num) / (den * den);
    double g = -RegressionSupport.dMaxFirst(f, 0) * dfda * RegressionSupport.sign(d) * -0.5;
    dComb[4 * k + lo] = g;
    dComb[4 * k + hi] = g;
  }

  /** {@code 1 - min(w_t / (w_p + eps), w_p / (w_t + eps))} along one axis, as {@link #centreTerm}. */
  private void sizeTerm(double pLo, double pHi, double tLo, double tHi, double[] comb, int k, double[] dComb,
      int lo, int hi) {
    double pw = pHi - pLo;
    double tw = tHi - tLo;
    double eps = eps();
    double shrink = tw / (pw + eps);
    double grow = pw / (tw + eps);
    comb[k] = 1 - Math.min(shrink, grow);
    double dShrink = -tw / ((pw + eps) * (pw + eps));
    double dGrow = 1 / (tw + eps);
    double dpw = -(RegressionSupport.dMinFirst(shrink, grow) * dShrink
        + RegressionSupport.dMinFirst(grow, shrink) * dGrow);
    dComb[4 * k + hi] = dpw;
    dComb[4 * k + lo] = -dpw;
  }

  @Override
  public String toString() {
    return describe("beta=" + params().beta() + ", eps=" + eps());
  }
}
