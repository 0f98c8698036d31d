package io.detkit.core.config;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The typed reads of a {@link Config} node: each getter returns the value of a key as a Java type or
 * throws a {@link ConfigException} at the key's dotted path for a missing required key or a value of
 * the wrong type or range (the rules are in {@link Config}'s class comment). The tree itself, its
 * paths, copies and read tracking are {@link Config}'s; this class only reads through them.
 *
 * <p>An optional key is read by the getter with a default ({@code getDouble(key, def)}: the default
 * when the key is absent or None), kept for the types configs read by hand (string, number, int,
 * boolean, number and int lists). A component's parameters are better declared as a record and read
 * by {@link RecordBinder}, which takes the defaults from the record and leaves the range checks
 * (finiteness included) to its constructor; a rare optional key of another type reads as
 * {@code isNull(key) ? def : getLong(key)}.
 */
public abstract sealed class ConfigReads permits Config {
  ConfigReads() {}

  /** The values of this node (unmodifiable). */
  abstract Map<String, Object> values();

  /** Records that {@code key} was read (for a tracked config). */
  abstract void touch(String key);

  /** The dotted path of {@code key} inside this node. */
  public abstract String pathOf(String key);

  /** Whether {@code key} is absent or holds {@code None}. */
  public abstract boolean isNull(String key);

  /** The raw value of {@code key}; null if absent or None. */
  public abstract Object get(String key);

  final Object require(String key) {
    Map<String, Object> values = values();
    touch(key);
    if (!values.containsKey(key)) {
      throw ConfigException.at(pathOf(key), "missing required key '" + key + "'"
          + (values.isEmpty() ? "" : "; present: " + String.join(", ", values.keySet())));
    }
    return values.get(key);
  }

  /** The value of a required {@code key} if it is a {@code type}; else an error naming {@code expected}. */
  private <T> T typed(String key, Class<T> type, String expected) {
    Object v = require(key);
    if (type.isInstance(v)) {
      return type.cast(v);
    }
    throw wrongType(key, expected, v);
  }

  private ConfigException wrongType(String key, String expected, Object got) {
    return ConfigException.at(pathOf(key), "expected " + expected + ", got " + Config.describe(got));
  }

  /** A string value. */
  public String getString(String key) {
    return typed(key, String.class, "a string");
  }

  /** A string value, or {@code def} when the key is absent or None. */
  public String getString(String key, String def) {
    return isNull(key) ? def : getString(key);
  }

  /** A number (int or float) as a double. */
  public double getDouble(String key) {
    Object v = require(key);
    if (v instanceof Long || v instanceof Double) {
      return ((Number) v).doubleValue();
    }
    throw wrongType(key, "a number", v);
  }

  /** A number, or {@code def} when absent or None. */
  public double getDouble(String key, double def) {
    return isNull(key) ? def : getDouble(key);
  }

  /** An integer value; a float with an integral value is rejected, as Python would for an index. */
  public long getLong(String key) {
    return typed(key, Long.class, "an integer");
  }

  /** An integer that fits an int. */
  public int getInt(String key) {
    long v = getLong(key);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw ConfigException.at(pathOf(key), "expected an integer in int range, got " + v);
    }
    return (int) v;
  }

  /** An int, or {@code def} when absent or None. */
  public int getInt(String key, int def) {
    return isNull(key) ? def : getInt(key);
  }

  /** A boolean ({@code True}/{@code False}). */
  public boolean getBoolean(String key) {
    return typed(key, Boolean.class, "a boolean (True or False)");
  }

  /** A boolean, or {@code def} when absent or None. */
  public boolean getBoolean(String key, boolean def) {
    return isNull(key) ? def : getBoolean(key);
  }

  /** A nested dict. */
  public Config getConfig(String key) {
    return typed(key, Config.class, "a dict");
  }

  /** A nested dict, or null when absent or None. */
  public Config getConfigOrNull(String key) {
    return isNull(key) ? null : getConfig(key);
  }

  /** A list or tuple. */
  public List<Object> getList(String key) {
    @SuppressWarnings("unchecked")
    List<Object> list = typed(key, List.class, "a list or tuple");
    return list;
  }

  /** Whether the value of {@code key} was written as a tuple. */
  public boolean isTuple(String key) {
    return get(key) instanceof PyTuple;
  }

  /** A list of numbers as doubles. */
  public double[] getDoubleArray(String key) {
    List<Object> list = getList(key);
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) item(key, list, i, v -> v instanceof Long || v instanceof Double, "a number")).doubleValue();
    }
    return out;
  }

  /** A list of numbers as doubles, or {@code def} when absent or None. */
  public double[] getDoubleArray(String key, double[] def) {
    return isNull(key) ? def : getDoubleArray(key);
  }

  /** A list of integers. */
  public int[] getIntArray(String key) {
    List<Object> list = getList(key);
    int[] out = new int[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) (long) (Long) item(key, list, i,
          v -> v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE, "an integer");
    }
    return out;
  }

  /** Item {@code i} of the list at {@code key}, if {@code accepted}; else an error at {@code key[i]}. */
  private Object item(String key, List<Object> list, int i, Predicate<Object> accepted,
      String expected) {
    Object v = list.get(i);
    if (!accepted.test(v)) {
      throw ConfigException.at(pathOf(key) + "[" + i + "]", "expected " + expected + ", got " + Config.describe(v));
    }
    return v;
  }

  /** A list of integers, or {@code def} when absent or None. */
  public int[] getIntArray(String key, int[] def) {
    return isNull(key) ? def : getIntArray(key);
  }
}
