package io.detkit.losses;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kernel of the element-wise regression losses (L1, MSE, SmoothL1, BalancedL1): loss element
 * {@code i} is a function of {@code pred[i]} and {@code target[i]} alone, so a loss gives only that
 * function and its derivative with respect to the prediction, and this one loop applies them
 * ({@link FormulaRegressionLoss} for a formula without parameters, {@link PiecewiseL1Loss} for the
 * two-branch ones with a {@code Params} record).
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape, which the loss keeps; the optional
 * weight broadcasts to it. A call throws {@link IllegalArgumentException} when the target's shape
 * differs from the prediction's or the weight does not broadcast. A zero upstream gradient (a zero
 * weight) gives a zero gradient.
 */
final class ElementwiseRegression {
  private ElementwiseRegression() {}

  /** A function of one element. */
  @FunctionalInterface
  interface ElementFn {
    /**
     * Its value at {@code pred}, {@code target}; {@code f32} is true when both inputs are float32,
     * for branch tests that PyTorch takes on float32 values.
     */
    double at(double pred, double target, boolean f32);
  }

  /**
   * The element-wise loss {@code value} of the call's prediction and target, with {@code slope}
   * ({@code d value / d pred}, PyTorch's subgradient where {@code value} is not smooth) as its
   * diagonal derivative.
   */
  static Elementwise kernel(LossArgs args, ElementFn value, ElementFn slope) {
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
