package io.detkit.losses;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument checks shared by the losses' calls. A loss's parameters are checked once, in the
 * constructor of its {@code Params} record (core's {@link io.detkit.core.config.ParamChecks}), which
 * both {@code fromConfig} and the builder fill, so both reject the same values with the same message
 * ({@code "FocalLoss: gamma must be ...; got <value>"}), and {@link LossType#fromConfig} reports the
 * key's dotted path.
 */
final class Checks {
  private Checks() {}

  /**
   * Requires {@code target} to have {@code pred}'s shape.
   *
   * @return {@code target}
   * @throws IllegalArgumentException {@code "<what> must have pred's shape [..]; got [..]"}
   */
  static INDArray sameShape(INDArray pred, INDArray target, String what) {
    if (!Arrays.equals(pred.shape(), target.shape())) {
      throw new IllegalArgumentException(what + " must have pred's shape " + Tensors.shapeOf(pred) + "; got "
          + Tensors.shapeOf(target));
    }
    return target;
  }

  /**
   * The values of a call's target, which must have the prediction's shape (the dense soft targets
   * of the classification losses).
   *
   * @throws IllegalArgumentException {@code "<type>: target must have pred's shape [..]; got [..]"}
   */
  static double[] denseTarget(LossArgs args, String type) {
    return Tensors.toDoubles(sameShape(args.pred(), args.target(), type + ": target"));
  }
}
