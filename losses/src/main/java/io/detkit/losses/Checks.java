package io.detkit.losses;

import io.detkit.core.check.Args;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument checks shared by the losses. A loss's parameters are checked once, in the constructor
 * of its {@code Params} record, which both {@code fromConfig} and the builder fill, so both reject
 * the same values with the same message ({@code "<name> must be ...; got <value>"});
 * classification losses prefix the name with their type ({@code "FocalLoss: gamma"}), and
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

  /** @throws IllegalArgumentException {@code "<key> must be a finite number > 0; got <v>"} */
  static double positive(String key, double v) {
    return param(key, () -> Args.positive(key, v));
  }

  /** @throws IllegalArgumentException {@code "<type>: <key> must be a finite number >= 0; got <v>"} */
  static double nonNegative(String type, String key, double v) {
    return param(key, () -> Args.nonNegative(prefixed(type, key), v));
  }

  /** @throws IllegalArgumentException {@code "<type>: <key> must be finite; got <v>"} */
  static double finite(String type, String key, double v) {
    return param(key, () -> Args.finite(prefixed(type, key), v));
  }

  /**
   * For parameters that float32 predictions compute with ({@code eps}): 1e308 would round to
   * infinity and 1e-300 to zero there.
   *
   * @throws IllegalArgumentException unless {@code v} is {@code > 0} and stays finite and {@code > 0} in float32
   */
  static double positiveFloat32(String key, double v) {
    return param(key, () -> Args.positiveFloat32(key, v));
  }

  /** {@code "<type>: <key>"}, or {@code key} alone for a null type (the regression losses' style). */
  private static String prefixed(String type, String key) {
    return type == null ? key : type + ": " + key;
  }

  /**
   * MMDetection implements these losses for sigmoid scores only; {@code use_sigmoid=False} is
   * rejected rather than silently ignored.
   *
   * @throws IllegalArgumentException {@code "<type>: use_sigmoid must be True (<why>); got False"}
   */
  static void requireSigmoid(String type, boolean useSigmoid, String why) {
    if (!useSigmoid) {
      throw new IllegalArgumentException(type + ": use_sigmoid must be True (" + why + "); got False");
    }
  }

  /**
   * The config-only check of the losses that MMDetection implements for sigmoid scores only, as a
   * {@link io.detkit.core.config.RecordBinder#then} step: {@code use_sigmoid} (default True) must
   * stay True.
   *
   * @throws IllegalArgumentException {@code "<type>: use_sigmoid must be True (<why>); got False"}
   */
  static <P> BiFunction<Config, P, P> sigmoidOnly(String type, String why) {
    return (c, params) -> {
      requireSigmoid(type, c.getBoolean("use_sigmoid", true), why);
      return params;
    };
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
