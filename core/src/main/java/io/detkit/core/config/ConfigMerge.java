package io.detkit.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * mmcv 1.x's rules for combining the files of a {@code _base_} chain, on plain value trees
 * ({@link LinkedHashMap}, {@link List}, {@link PyTuple}, scalars, {@link BaseRef}):
 * <ul>
 *   <li>{@link #unionOfBases}: the bases of one file are combined key by key; a top-level key
 *       defined by two of them is an error ({@code Config._file2dict}'s duplicate check).
 *   <li>{@link #substituteBaseRefs}: every {@code {{_base_.a.b}}} is replaced by that value of the
 *       merged bases ({@code Config._substitute_base_vars}); only dict keys can be walked.
 *   <li>{@link #mergeInto}: the file's values over its bases' ({@code Config._merge_a_into_b}): a
 *       dict merges key by key into a dict, any other value replaces; a dict holding a truthy
 *       {@code _delete_} replaces the base's value instead of merging. Base keys keep their order,
 *       new keys follow in the file's order.
 * </ul>
 * mmcv pops {@code _delete_} only from a dict that meets a base value under the same key; where it
 * does not (a key the bases lack, a dict inside a list), {@code _delete_} stays, as in mmcv, and
 * the component that receives it then rejects it as an unknown parameter.
 */
final class ConfigMerge {
  static final String BASE_KEY = "_base_";
  static final String DELETE_KEY = "_delete_";

  private ConfigMerge() {}

  /**
   * The container depth of {@code v} (0 for a scalar), adding the number of values it holds to
   * {@code count[0]}. Stops early, returning {@code maxDepth}, once the depth reaches
   * {@code maxDepth} or the count exceeds {@code maxCount}, so a self-containing or enormous Java
   * structure costs at most that much.
   */
  static int depthAndCount(Object v, long[] count, int maxDepth, long maxCount) {
    count[0]++;
    if (count[0] > maxCount) {
      return maxDepth;
    }
    Iterable<?> children;
    if (v instanceof Map<?, ?> m) {
      children = m.values();
    } else if (v instanceof Config c) {
      children = c.values().values();
    } else if (v instanceof List<?> l) {
      children = l;
    } else {
      return 0;
    }
    if (maxDepth <= 1) {
      return maxDepth;
    }
    int deepest = 0;
    for (Object child : children) {
      deepest = Math.max(deepest, depthAndCount(child, count, maxDepth - 1, maxCount));
      if (deepest >= maxDepth - 1 || count[0] > maxCount) {
        return maxDepth;
      }
    }
    return deepest + 1;
  }

  /** Checks a merged tree against {@link ConfigLoader#MAX_DEPTH} and {@link ConfigLoader#MAX_VALUES}. */
  static void checkLimits(Map<String, Object> tree, String what) {
    long[] count = {0};
    int depth = depthAndCount(tree, count, ConfigLoader.MAX_DEPTH + 2, ConfigLoader.MAX_VALUES + 1L);
    // The root map is not a level of its own (a file's top-level value counts from one).
    if (count[0] - 1 > ConfigLoader.MAX_VALUES) {
      throw ConfigException.wrap(what + ": more than " + ConfigLoader.MAX_VALUES
          + " values after merging the bases (ConfigLoader.MAX_VALUES)", null);
    }
    if (depth - 1 > ConfigLoader.MAX_DEPTH) {
      throw ConfigException.wrap(what + ": nesting deeper than " + ConfigLoader.MAX_DEPTH
          + " levels of dicts, lists and tuples after merging the bases (ConfigLoader.MAX_DEPTH)", null);
    }
  }

  /**
   * The top-level names of {@code bases}, in order; {@code files} names each base for messages.
   *
   * @throws ConfigException if two bases define the same key
   */
  static Map<String, Object> unionOfBases(List<Map<String, Object>> bases, List<String> files, String includer) {
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, String> owner = new LinkedHashMap<>();
    for (int i = 0; i < bases.size(); i++) {
      for (Map.Entry<String, Object> e : bases.get(i).entrySet()) {
        String first = owner.putIfAbsent(e.getKey(), files.get(i));
        if (first != null) {
          throw ConfigException.at(e.getKey(), "duplicate key '" + e.getKey() + "' among the bases of " + includer
              + ": defined by both " + first + " and " + files.get(i)
              + " (mmcv allows a key in one base only; override it in " + includer + " instead)");
        }
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  /**
   * {@code tree} with every {@link BaseRef} replaced by its value in {@code bases}.
   *
   * @param baseFiles the bases' file names, for the message of a reference that does not resolve
   */
  static Object substituteBaseRefs(Object tree, Map<String, Object> bases, List<String> baseFiles) {
    if (tree instanceof BaseRef ref) {
      return resolve(ref, bases, baseFiles);
    }
    if (tree instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put((String) k, substituteBaseRefs(v, bases, baseFiles)));
      return out;
    }
    if (tree instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(v -> out.add(substituteBaseRefs(v, bases, baseFiles)));
      return tree instanceof PyTuple ? PyTuple.of(out) : out;
    }
    return tree;
  }

  private static Object resolve(BaseRef ref, Map<String, Object> bases, List<String> baseFiles) {
    if (baseFiles.isEmpty()) {
      throw ConfigException.wrap(ref.where() + ": {{_base_." + ref.path() + "}} refers to a base file, but "
          + ref.source() + " has no _base_", null);
    }
    Object v = bases;
    String walked = "";
    for (String seg : ref.path().split("\\.", -1)) {
      if (!(v instanceof Map<?, ?> m) || !m.containsKey(seg)) {
        String why = v instanceof Map<?, ?> ? "has no key '" + seg + "'"
            : "is " + PyOperators.typeName(v) + ", not a dict (only dict keys can follow _base_.)";
        throw ConfigException.wrap(ref.where() + ": {{_base_." + ref.path() + "}} does not exist: "
            + (walked.isEmpty() ? "the bases' top level" : "_base_." + walked) + " " + why
            + " (bases of " + ref.source() + ": " + String.join(", ", baseFiles) + ")", null);
      }
      v = m.get(seg);
      walked = walked.isEmpty() ? seg : walked + "." + seg;
    }
    return v;
  }

  /** mmcv's {@code _merge_a_into_b(child, base)}; {@code file} names the child for messages. */
  static Map<String, Object> mergeInto(Map<String, Object> child, Map<String, Object> base, String path,
      String file) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    for (Map.Entry<String, Object> e : child.entrySet()) {
      String k = e.getKey();
      Object v = e.getValue();
      String at = path.isEmpty() ? k : path + "." + k;
      if (v instanceof Map<?, ?> m && out.containsKey(k)) {
        @SuppressWarnings("unchecked")
        Map<String, Object> update = new LinkedHashMap<>((Map<String, Object>) m);
        if (truthy(update.remove(DELETE_KEY))) {
          out.put(k, update);
          continue;
        }
        Object old = out.get(k);
        if (!(old instanceof Map<?, ?>)) {
          throw ConfigException.at(at, "cannot merge the dict " + at + " of " + file + " into its base's value,"
              + " which is " + PyOperators.typeName(old) + " (" + PyLexer.abbreviate(ConfigWriter.oneLine(old), 60)
              + "); add " + DELETE_KEY + "=True to the dict to replace the base's value");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> oldMap = (Map<String, Object>) old;
        out.put(k, mergeInto(update, oldMap, at, file));
      } else {
        out.put(k, v);
      }
    }
    return out;
  }

  /** Python's truth value of a config value. */
  static boolean truthy(Object v) {
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Long l) {
      return l != 0;
    }
    if (v instanceof Double d) {
      return d != 0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof List<?> l) {
      return !l.isEmpty();
    }
    return !(v instanceof Map<?, ?> m) || !m.isEmpty();
  }
}
