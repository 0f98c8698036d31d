package io.detkit.core.anchor;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import java.util.ArrayList;
import java.util.List;

/** Reads the list-shaped parameters of prior-generator configs, naming the offending element. */
final class AnchorConfigs {
  private AnchorConfigs() {}

  /** {@code strides}: numbers ({@code s} meaning {@code (s, s)}) or {@code (w, h)} pairs. */
  static List<Stride> strides(Config c, String key) {
    List<Object> raw = c.getList(key);
    List<Stride> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      Object v = raw.get(i);
      String path = c.pathOf(key) + "[" + i + "]";
      double[] pair = pair(v);
      if (isNumber(v)) {
        out.add(ConfigException.reraisedAt(path, () -> Stride.of(((Number) v).doubleValue())));
      } else if (pair != null) {
        out.add(ConfigException.reraisedAt(path, () -> Stride.of(pair[0], pair[1])));
      } else {
        throw ConfigException.at(path, "expected a number or a (w, h) pair, got " + Config.describe(v));
      }
    }
    return out;
  }

  /** A list of numeric pairs, such as {@code centers}. */
  static List<double[]> pairs(Config c, String key) {
    List<Object> raw = c.getList(key);
    List<double[]> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      double[] pair = pair(raw.get(i));
      if (pair == null) {
        throw ConfigException.at(c.pathOf(key) + "[" + i + "]", "expected an (x, y) pair of numbers, got "
            + Config.describe(raw.get(i)));
      }
      out.add(pair);
    }
    return out;
  }

  /** {@code v} as two numbers if it is a list of two numbers, else null. */
  private static double[] pair(Object v) {
    return v instanceof List<?> p && p.size() == 2 && isNumber(p.get(0)) && isNumber(p.get(1))
        ? new double[] {((Number) p.get(0)).doubleValue(), ((Number) p.get(1)).doubleValue()}
        : null;
  }

  /** A list of lists of numbers, such as SSD's per-level {@code ratios}. */
  static List<double[]> nested(Config c, String key) {
    List<Object> raw = c.getList(key);
    List<double[]> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      Object v = raw.get(i);
      if (!(v instanceof List<?> inner)) {
        throw ConfigException.at(c.pathOf(key) + "[" + i + "]", "expected a list of numbers, got "
            + Config.describe(v));
      }
      double[] d = new double[inner.size()];
      for (int j = 0; j < d.length; j++) {
        if (!isNumber(inner.get(j))) {
          throw ConfigException.at(c.pathOf(key) + "[" + i + "][" + j + "]", "expected a number, got "
              + Config.describe(inner.get(j)));
        }
        d[j] = ((Number) inner.get(j)).doubleValue();
      }
      out.add(d);
    }
    return out;
  }

  static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double;
  }
}
