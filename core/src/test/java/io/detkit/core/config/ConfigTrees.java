package io.detkit.core.config;

import java.util.ArrayList;
import java.util.List;

/** Test helpers that compare config trees more strictly than {@link Config#equals}. */
final class ConfigTrees {
  private ConfigTrees() {}

  /**
   * The first difference between two trees, or null when they are identical: same key order, same
   * value classes (Long versus Double, tuple versus list), same doubles bit for bit.
   */
  static String firstDifference(Object a, Object b, String path) {
    if (a == null || b == null) {
      return a == b ? null : path + ": " + a + " vs " + b;
    }
    if (a.getClass() != b.getClass() && !(a instanceof List && b instanceof List && !(a instanceof PyTuple)
        && !(b instanceof PyTuple))) {
      return path + ": " + a.getClass().getSimpleName() + " " + a + " vs " + b.getClass().getSimpleName() + " " + b;
    }
    if (a instanceof Config ca) {
      Config cb = (Config) b;
      if (!new ArrayList<>(ca.keys()).equals(new ArrayList<>(cb.keys()))) {
        return path + ": keys " + ca.keys() + " vs " + cb.keys();
      }
      for (String k : ca.keys()) {
        String d = firstDifference(ca.get(k), cb.get(k), path + "." + k);
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    if (a instanceof List<?> la) {
      List<?> lb = (List<?>) b;
      if (la.size() != lb.size()) {
        return path + ": sizes " + la.size() + " vs " + lb.size();
      }
      for (int i = 0; i < la.size(); i++) {
        String d = firstDifference(la.get(i), lb.get(i), path + "[" + i + "]");
        if (d != null) {
          return d;
        }
      }
      return null;
    }
    return a.equals(b) ? null : path + ": " + a + " vs " + b;
  }

  /** The tree with every tuple read as a list, as JSON holds it. */
  static Object tuplesAsLists(Object v) {
    if (v instanceof Config c) {
      Config out = Config.empty();
      for (String k : c.keys()) {
        out = out.with(k, tuplesAsLists(c.get(k)));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      l.forEach(x -> out.add(tuplesAsLists(x)));
      return out;
    }
    return v;
  }
}
