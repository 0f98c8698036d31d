package io.detkit.losses;

import java.util.function.DoubleBinaryOperator;

/**
 * An element-wise regression loss whose element is a formula of {@code (pred, target)} alone, in
 * any precision (L1, MSE): a loss gives the formula and its derivative with respect to the
 * prediction to the constructor and writes nothing else, the kernel being
 * {@link ElementwiseRegressionLoss}'s.
 *
 * <p>Its public methods are not final: javac then gives each public subclass a bridge to them,
 * which reflection from other packages needs (this class is package-private).
 */
abstract class FormulaRegressionLoss extends ElementwiseRegressionLoss {
  private final DoubleBinaryOperator value;
  private final DoubleBinaryOperator slope;

  /**
   * @param value the loss of one element, {@code (pred, target) -> loss}
   * @param slope {@code d value / d pred}, with PyTorch's subgradient where {@code value} is not smooth
   */
  FormulaRegressionLoss(LossOptions options, DoubleBinaryOperator value, DoubleBinaryOperator slope) {
    super(options);
    this.value = value;
    this.slope = slope;
  }

  @Override
  final double value(double pred, double target, boolean f32) {
    return value.applyAsDouble(pred, target);
  }

  @Override
  final double slope(double pred, double target, boolean f32) {
    return slope.applyAsDouble(pred, target);
  }
}
