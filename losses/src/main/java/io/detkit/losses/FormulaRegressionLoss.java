package io.detkit.losses;

import java.util.function.DoubleBinaryOperator;

/**
 * An element-wise regression loss without parameters of its own whose element is a formula of
 * {@code (pred, target)} alone, in any precision (L1, MSE): a loss gives the formula and its
 * derivative with respect to the prediction to the constructor and writes nothing else, the kernel
 * being {@link ElementwiseRegression}'s.
 *
 * <p>Its public methods are not final: javac then gives each public subclass a bridge to them,
 * which reflection from other packages needs (this class is package-private).
 */
abstract class FormulaRegressionLoss extends Loss {
  private final ElementwiseRegression.ElementFn value;
  private final ElementwiseRegression.ElementFn slope;

  /**
   * @param value the loss of one element, {@code (pred, target) -> loss}
   * @param slope {@code d value / d pred}, with PyTorch's subgradient where {@code value} is not smooth
   */
  FormulaRegressionLoss(LossOptions options, DoubleBinaryOperator value, DoubleBinaryOperator slope) {
    super(options);
    this.value = (p, t, f32) -> value.applyAsDouble(p, t);
    this.slope = (p, t, f32) -> slope.applyAsDouble(p, t);
  }

  @Override
  protected final Elementwise kernel(LossArgs args) {
    return ElementwiseRegression.kernel(args, value, slope);
  }
}
