package io.detkit.losses;

import io.detkit.core.check.Args;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument checks shared by the losses' calls, and the error that carries a parameter's config key.
 * A loss's parameters are checked once, in the constructor of its {@code Params} record
 * ({@link ParamChecks}), which both {@code fromConfig} and the builder fill, so both reject the same
 * values with the same message ({@code "FocalLoss: gamma must be ...; got <value>"}), and
 * {@link LossType#fromConfig} reports the key's dotted path through {@link ConfigException}.
 */
final class Checks {
  private Checks() {}

  /**
   * A parameter out of range, with the config key it came from, so that {@link LossType#fromConfig} can
   * report the key's dotted path while a builder's caller sees the plain message.
   */
  static final class BadParameter extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String key;

    BadParameter(String key, String message) {
      super(message);
      this.key = key;
    }

    /** The config key of the parameter. */
    String key() {
      return key;
    }
  }

  /** Runs {@code check}, whose failure names parameter {@code key}. */
  static <T> T param(String key, Supplier<T> check) {
    return Args.renamed(check, BadParameter.class, e -> new BadParameter(key, e.getMessage()));
  }

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
