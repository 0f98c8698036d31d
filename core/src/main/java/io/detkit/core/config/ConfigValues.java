package io.detkit.core.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How Java values become config values: the checks of size and depth before a copy, and the
 * normalisation {@link Config#of(Map)} and {@link Config#with} apply (Integer, Short, Byte and
 * BigInteger to Long, Float and BigDecimal to Double, maps to {@link Config} nodes that know their
 * path, lists to unmodifiable lists or {@link PyTuple}s, {@code double[]}/{@code int[]} to lists).
 */
final class ConfigValues {
  private ConfigValues() {}

  /**
   * Refuses a Java structure deeper than the loaders accept or holding more values, before it is
   * copied: a self-containing map or a 100,000-deep one then fails with a {@link ConfigException}
   * instead of a {@link StackOverflowError}, and a structure that shares sub-maps cannot expand to
   * an exponential copy. {@code maxDepth} counts the levels of {@code v} itself.
   */
  static void checkShape(String path, Object v, int maxDepth) {
    long[] count = {0};
    int depth = ConfigMerge.depthAndCount(v, count, maxDepth + 1, ConfigLoader.MAX_VALUES + 1L);
    // The walk stops early at either limit; the count is checked first because an early stop
    // reports the depth as reached.
    if (count[0] > ConfigLoader.MAX_VALUES) {
      throw ConfigException.at(path, "more than " + ConfigLoader.MAX_VALUES
          + " values, counting a shared sub-map at every use (ConfigLoader.MAX_VALUES)");
    }
    if (depth > maxDepth) {
      throw ConfigException.at(path, "nesting deeper than " + ConfigLoader.MAX_DEPTH
          + " levels of dicts, lists and tuples (ConfigLoader.MAX_DEPTH), or a map that contains itself");
    }
  }

  static Config copyOf(String path, Map<?, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw ConfigException.at(path, "keys must be strings; got " + describe(e.getKey()));
      }
      copy.put(key, normalize(join(path, key), e.getValue()));
    }
    return new Config(path, Collections.unmodifiableMap(copy), null);
  }

  static Object normalize(String path, Object v) {
    if (v == null || v instanceof Boolean || v instanceof String || v instanceof Long
        || v instanceof Double) {
      return v;
    }
    if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
      return ((Number) v).longValue();
    }
    if (v instanceof Float f) {
      return f.doubleValue();
    }
    if (v instanceof java.math.BigInteger b) {
      if (b.bitLength() > 63) {
        throw ConfigException.at(path, "integer out of range: " + b);
      }
      return b.longValue();
    }
    if (v instanceof java.math.BigDecimal d) {
      return d.doubleValue();
    }
    if (v instanceof Config c) {
      return c.path().equals(path) ? c.untracked() : copyOf(path, c.values());
    }
    if (v instanceof Map<?, ?> m) {
      return copyOf(path, m);
    }
    if (v instanceof List<?> list) {
      List<Object> items = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        items.add(normalize(path + "[" + i + "]", list.get(i)));
      }
      return list instanceof PyTuple ? PyTuple.of(items) : Collections.unmodifiableList(items);
    }
    if (v instanceof double[] a) {
      List<Object> items = new ArrayList<>();
      for (double d : a) {
        items.add(d);
      }
      return Collections.unmodifiableList(items);
    }
    if (v instanceof int[] a) {
      List<Object> items = new ArrayList<>();
      for (int d : a) {
        items.add((long) d);
      }
      return Collections.unmodifiableList(items);
    }
    throw ConfigException.at(path, "unsupported value type " + v.getClass().getName());
  }

  static String join(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** Plain Java maps and lists (mutable copies) of a config value. */
  static Object plain(Object v) {
    if (v instanceof Config c) {
      return c.toMap();
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) {
        out.add(plain(o));
      }
      return out;
    }
    return v;
  }

  /** See {@link Config#describe}. */
  static String describe(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof Config c) {
      return "dict(" + String.join(", ", c.keys()) + ")";
    }
    return String.valueOf(v);
  }
}
