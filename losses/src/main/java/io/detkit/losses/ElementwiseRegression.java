package io.detkit.losses;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kernel of the element-wise regression losses (L1, MSE, SmoothL1, BalancedL1), and the
 * extension point for one of your own: loss element {@code i} is a function of {@code pred[i]} and
 * {@code target[i]} alone, so a loss gives only that function and its derivative with respect to
 * the prediction, and this one loop applies them. A loss's {@link Loss#kernel} returns
 * {@code ElementwiseRegression.kernel(args, value, slope)}; the five-step pipeline (weighting,
 * reduction, {@code avg_factor}, {@code loss_weight}, the gradient and its checks) is
 * {@link Loss}'s, as for every built-in loss. A loss with parameters extends {@link ParamLoss} and
 * reads them in its formulas:
 *
 * <pre>{@code
 * protected Elementwise kernel(LossArgs args) {
 *   double s = params().scale();
 *   return ElementwiseRegression.kernel(args, (p, t, f32) -> s * Math.abs(p - t), (p, t, f32) -> s * Math.signum(p - t));
 * }
 * }</pre>
 * ({@code io.detkit.examples.losses.UserLossTypeTest} compiles and runs that loss outside this
 * package, and {@code UserElementwiseLossTest} a log-cosh loss without parameters.) Built in:
 * {@code FormulaRegressionLoss} hands L1's and MSE's formulas over as they
 * are, {@code PiecewiseL1Loss} the two branches of SmoothL1 and BalancedL1.
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape, which the loss keeps; the optional
 * weight broadcasts to it. A call throws {@link IllegalArgumentException} when the target's shape
 * differs from the prediction's or the weight does not broadcast. A zero upstream gradient (a zero
 * weight) gives a zero gradient, even where {@code slope} is infinite or NaN. Stateless.
 */
public final class ElementwiseRegression {
  private ElementwiseRegression() {}

  /** A function of one element. */
  @FunctionalInterface
  public interface ElementFn {
    /**
     * Its value at {@code pred}, {@code target}; {@code f32} is true when both inputs are float32,
     * for branch tests that PyTorch takes on float32 values (the inputs are the float32 values,
     * widened; the formula may compute in double).
     */
    double at(double pred, double target, boolean f32);
  }

  /**
   * The element-wise loss {@code value} of the call's prediction and target, with {@code slope}
   * ({@code d value / d pred}, PyTorch's subgradient where {@code value} is not smooth) as its
   * diagonal derivative. Each function is called once an element, on the calling thread.
   *
   * @throws IllegalArgumentException if the target's shape differs from the prediction's
   */
  public static Elementwise kernel(LossArgs args, ElementFn value, ElementFn slope) {
    Tensors.requireNonNull(args, "args");
    Tensors.requireNonNull(value, "value");
    Tensors.requireNonNull(slope, "slope");
    INDArray pred = args.pred();
    INDArray target = Checks.sameShape(pred, args.target(), "target");
    boolean f32 = RegressionSupport.float32(pred, target);
    double[] p = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    double[] values = new double[p.length];
    double[] deriv = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      values[i] = value.at(p[i], t[i], f32);
      deriv[i] = slope.at(p[i], t[i], f32);
    }
    return Elementwise.diagonalZeroSafe(pred.shape(), values, deriv);
  }
}
