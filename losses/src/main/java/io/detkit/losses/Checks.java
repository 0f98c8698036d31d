package io.detkit.losses;

import io.detkit.core.check.Args;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.Locale;
import java.util.StringJoiner;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument checks shared by the losses. Parameter ranges are checked alike by the config
 * constructors and the builders, so both reject the same values with the same message
 * ({@code "<name> must be ...; got <value>"}); classification losses prefix the name with their
 * type ({@code "FocalLoss: gamma"}), and the config-reading overloads report the key's dotted
 * path through {@link ConfigException}.
 */
final class Checks {
  private Checks() {}

  /** @throws IllegalArgumentException unless {@code v} is finite and {@code > 0} */
  static double positive(String name, double v) {
    return Args.positive(name, v);
  }

  /** @throws IllegalArgumentException unless {@code v} is finite and {@code >= 0} */
  static double nonNegative(String name, double v) {
    return Args.nonNegative(name, v);
  }

  /** @throws IllegalArgumentException if {@code v} is NaN or infinite */
  static double finite(String name, double v) {
    return Args.finite(name, v);
  }

  /**
   * For parameters that float32 predictions compute with ({@code eps}): 1e308 would round to
   * infinity and 1e-300 to zero there.
   *
   * @throws IllegalArgumentException unless {@code v} is {@code > 0} and stays finite and {@code > 0} in float32
   */
  static double positiveFloat32(String name, double v) {
    return Args.positiveFloat32(name, v);
  }

  /** Reads {@code key} (default {@code def}). @throws ConfigException unless {@link #positiveFloat32(String, double)} */
  static double positiveFloat32(Config c, String key, double def) {
    double v = c.getDouble(key, def);
    try {
      return positiveFloat32(key, v);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf(key), e.getMessage());
    }
  }

  /** Reads {@code key} (default {@code def}). @throws ConfigException unless finite and {@code > 0} */
  static double positive(Config c, String key, double def) {
    double v = c.getDouble(key, def);
    try {
      return positive(key, v);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf(key), e.getMessage());
    }
  }

  /** Reads {@code key} (default {@code def}). @throws ConfigException unless finite and {@code >= 0} */
  static double nonNegative(Config c, String key, double def) {
    double v = c.getDouble(key, def);
    try {
      return nonNegative(key, v);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf(key), e.getMessage());
    }
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
   * The constant of {@code values} whose lower-case name is {@code key} (case-insensitive), as
   * MMDetection spells its string options.
   *
   * @throws IllegalArgumentException {@code "<name> must be one of 'a', 'b'; got '<key>'"}
   */
  static <E extends Enum<E>> E parseKey(E[] values, String name, String key) {
    if (key != null) {
      String lower = key.toLowerCase(Locale.ROOT);
      for (E e : values) {
        if (e.name().toLowerCase(Locale.ROOT).equals(lower)) {
          return e;
        }
      }
    }
    StringJoiner accepted = new StringJoiner(", ");
    for (E e : values) {
      accepted.add("'" + e.name().toLowerCase(Locale.ROOT) + "'");
    }
    throw new IllegalArgumentException(name + " must be one of " + accepted + "; got '" + key + "'");
  }
}
