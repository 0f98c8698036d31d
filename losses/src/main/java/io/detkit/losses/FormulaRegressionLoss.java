package io.detkit.losses;

/**
 * An element-wise regression loss without parameters of its own whose element is a formula of
 * {@code (pred, target)} alone, in any precision (L1, MSE): a loss gives the formula and its
 * derivative with respect to the prediction to the constructor and writes nothing else, the kernel
 * being {@link ElementwiseRegression}'s (the formulas are handed to its loop as they are, one
 * interface call an element each, not wrapped). Package-private: a user's element-wise loss calls
 * {@link ElementwiseRegression#kernel} from its own {@code kernel}, which works for a loss with
 * parameters ({@link ParamLoss}) as well as without, where a public base class would force a
 * choice between holding the parameters and reusing the loop.
 */
abstract class FormulaRegressionLoss extends Loss {
  private final ElementwiseRegression.ElementFn value;
  private final ElementwiseRegression.ElementFn slope;

  /**
   * @param value the loss of one element, {@code (pred, target, f32) -> loss}
   * @param slope {@code d value / d pred}, with PyTorch's subgradient where {@code value} is not smooth
   */
  FormulaRegressionLoss(LossOptions options, ElementwiseRegression.ElementFn value,
      ElementwiseRegression.ElementFn slope) {
    super(options);
    this.value = value;
    this.slope = slope;
  }

  @Override
  protected final Elementwise kernel(LossArgs args) {
    return ElementwiseRegression.kernel(args, value, slope);
  }
}
