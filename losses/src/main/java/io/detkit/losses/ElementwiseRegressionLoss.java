package io.detkit.losses;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The element-wise regression losses (L1, MSE, SmoothL1, BalancedL1): loss element {@code i} is
 * a function of {@code pred[i]} and {@code target[i]} alone, so a subclass gives only that
 * function ({@link #value}) and its derivative with respect to the prediction ({@link #slope}).
 *
 * <p>Shapes: {@code pred} and {@code target} any equal shape, which the loss keeps; the optional
 * weight broadcasts to it. A call throws {@link IllegalArgumentException} when the target's shape
 * differs from the prediction's or the weight does not broadcast. A zero upstream gradient (a zero
 * weight) gives a zero gradient.
 */
abstract class ElementwiseRegressionLoss extends Loss {
  ElementwiseRegressionLoss(LossOptions options) {
    super(options);
  }

  /**
   * The loss of one element. {@code f32} is true when both inputs are float32, for branch tests
   * that PyTorch takes on float32 values.
   */
  abstract double value(double pred, double target, boolean f32);

  /** {@code d value / d pred}, with PyTorch's subgradient where {@link #value} is not smooth. */
  abstract double slope(double pred, double target, boolean f32);

  @Override
  protected final Elementwise kernel(LossArgs args) {
    INDArray pred = args.pred();
    INDArray target = Checks.sameShape(pred, args.target(), "target");
    boolean f32 = RegressionSupport.float32(pred, target);
    double[] p = Tensors.toDoubles(pred);
    double[] t = Tensors.toDoubles(target);
    double[] values = new double[p.length];
    double[] deriv = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      values[i] = value(p[i], t[i], f32);
      deriv[i] = slope(p[i], t[i], f32);
    }
    return Elementwise.diagonalZeroSafe(pred.shape(), values, deriv);
  }
}
