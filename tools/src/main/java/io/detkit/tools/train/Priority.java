package io.detkit.tools.train;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.Arrays;
import java.util.Locale;

/**
 * The named hook priorities of mmcv 1.x: a hook with a smaller value runs earlier at every stage;
 * hooks of equal priority run in the order they were registered. A priority is any int from 0
 * ({@link #HIGHEST}) to 100 ({@link #LOWEST}); these names are the usual points.
 */
public enum Priority {
  HIGHEST(0),
  VERY_HIGH(10),
  HIGH(30),
  ABOVE_NORMAL(40),
  NORMAL(50),
  BELOW_NORMAL(60),
  LOW(70),
  VERY_LOW(90),
  LOWEST(100);

  private final int value;

  Priority(int value) {
    this.value = value;
  }

  /** The int this name stands for. */
  public int value() {
    return value;
  }

  /**
   * Reads a config's {@code priority} value as mmcv's {@code get_priority} does: an int from 0 to
   * 100, or one of the names in any case ({@code 'NORMAL'}, {@code 'very_low'}).
   *
   * @param path the config path named in the error
   * @throws ConfigException for any other value, naming what is accepted
   */
  public static int parse(Object value, String path) {
    if (value instanceof Integer || value instanceof Long) {
      long v = ((Number) value).longValue();
      if (v < HIGHEST.value || v > LOWEST.value) {
        throw ConfigException.at(path, "must be between 0 and 100; got " + v);
      }
      return (int) v;
    }
    if (value instanceof String s) {
      for (Priority p : values()) {
        if (p.name().equals(s.toUpperCase(Locale.ROOT))) {
          return p.value;
        }
      }
    }
    throw ConfigException.at(path, "must be an int from 0 to 100 or one of " + Arrays.toString(values())
        + "; got " + Config.describe(value));
  }
}
