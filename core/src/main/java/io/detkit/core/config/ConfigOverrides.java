package io.detkit.core.config;

import io.detkit.core.tensor.Tensors;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Applies command-line overrides in the form of MMDetection's {@code --cfg-options}
 * ({@code mmcv.DictAction} and {@code Config.merge_from_dict}).
 *
 * <p>Each option is {@code key.sub.leaf=value}. The key is split on dots; missing intermediate
 * dicts are created, and a numeric segment selects an item of an existing list
 * ({@code pipeline.1.type=Resize}). The value is read by {@link #parseValue}: a Python literal
 * when it parses ({@code 1.5}, {@code True}, {@code None}, {@code 'sum'}, {@code [0.5,1.0,2.0]},
 * {@code (1,2)}, {@code dict(type='X')}), else a comma list {@code a,b,c} (a list of values read
 * the same way), else mmcv's fallbacks ({@code int()}, {@code float()} such as {@code inf},
 * {@code true}/{@code false} in any case), else the bare string ({@code reduction=sum} gives
 * {@code 'sum'}).
 *
 * <p>As in mmcv, a dict value is merged into a dict already at that key
 * ({@code model.loss_cls=dict(gamma=1.5)} keeps the other keys of {@code loss_cls}) unless it
 * holds {@code _delete_=True}, which replaces the old value; merging a dict into anything but a
 * dict is an error. Unlike mmcv, {@code _delete_} never stays in the result. Options apply in
 * order, so a later option wins.
 *
 * <p>At most {@link #MAX_OPTIONS} options of at most {@link #MAX_OPTION_LENGTH} characters each
 * are accepted. Every failure is a {@link ConfigException} that quotes the option or names the
 * dotted path.
 */
public final class ConfigOverrides {
  /** The most options one call accepts. */
  public static final int MAX_OPTIONS = 1000;

  /** The longest option accepted, in characters (64 KiB). */
  public static final int MAX_OPTION_LENGTH = 64 * 1024;

  private static final String DELETE_KEY = ConfigMerge.DELETE_KEY;
  private static final Pattern INDEX = Pattern.compile("[0-9]+");
  private static final Pattern LITERAL_START = Pattern.compile("^(?:[\\[({'\"]|dict\\s*\\()");
  private static final Pattern PY_INT = Pattern.compile("[+-]?[0-9]+(?:_[0-9]+)*");
  private static final String DIGITS = "[0-9]+(?:_[0-9]+)*";
  private static final Pattern PY_FLOAT = Pattern.compile(
      "[+-]?(?:(?:" + DIGITS + ")?\\." + DIGITS + "|" + DIGITS + "\\.?)(?:[eE][+-]?" + DIGITS + ")?"
      + "|(?i:[+-]?(?:inf|infinity|nan))");

  private ConfigOverrides() {}

  /**
   * Returns {@code base} with every option applied, in order.
   *
   * @param options strings {@code key.sub.leaf=value}
   * @throws ConfigException if there are too many options, an option is too long or malformed (no
   *     {@code =}, an empty key or key segment), a value looks like a Python literal but does not
   *     parse, or a key would be set inside something that is not a dict (or a list, for an index)
   */
  public static Config apply(Config base, List<String> options) {
    Tensors.requireNonNull(base, "base");
    Tensors.requireNonNull(options, "options");
    if (options.size() > MAX_OPTIONS) {
      throw ConfigException.wrap("too many config options: " + options.size() + ", at most " + MAX_OPTIONS
          + " (ConfigOverrides.MAX_OPTIONS)", null);
    }
    Config out = base;
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      if (option == null) {
        throw ConfigException.wrap("config option " + i + " is null", null);
      }
      if (option.length() > MAX_OPTION_LENGTH) {
        throw ConfigException.wrap("config option " + i + " ('" + PyLexer.abbreviate(option, 40) + "') is "
            + option.length() + " characters, more than " + MAX_OPTION_LENGTH
            + " (ConfigOverrides.MAX_OPTION_LENGTH)", null);
      }
      int eq = option.indexOf('=');
      if (eq < 0) {
        throw ConfigException.wrap("malformed config option '" + PyLexer.abbreviate(option, 80)
            + "': expected key=value, for example model.bbox_head.loss_cls.gamma=1.5", null);
      }
      String key = option.substring(0, eq).strip();
      if (key.isEmpty()) {
        throw ConfigException.wrap("malformed config option '" + PyLexer.abbreviate(option, 80)
            + "': the key before '=' is empty", null);
      }
      String what = "option '" + PyLexer.abbreviate(option, 80) + "'";
      Object value = parseValue(option.substring(eq + 1), what);
      out = set(out, key, value, true, what);
    }
    return out;
  }

  /**
   * Reads an option value the way {@link #apply} does: a Python literal (dicts as {@link Map},
   * lists as {@link List}, tuples as {@link PyTuple}), a comma list, an mmcv number or boolean,
   * or the string itself (surrounding whitespace removed).
   *
   * @throws ConfigException if the value starts like a Python literal (a bracket, parenthesis,
   *     brace or quote, or {@code dict(}) but does not parse, or an integer does not fit a long
   * @throws IllegalArgumentException if {@code text} is null
   */
  public static Object parseValue(String text) {
    return parseValue(Tensors.requireNonNull(text, "text"), "value");
  }

  static Object parseValue(String text, String what) {
    String s = text.strip();
    if (s.isEmpty()) {
      return "";
    }
    ConfigException literalError;
    try {
      return PyParser.parseLiteral(s, what);
    } catch (ConfigException e) {
      literalError = e;
    }
    List<String> parts = splitTopLevelCommas(s);
    if (parts.size() > 1) {
      if (parts.get(parts.size() - 1).isBlank()) {
        parts.remove(parts.size() - 1);
      }
      List<Object> out = new ArrayList<>(parts.size());
      for (String part : parts) {
        out.add(parseValue(part, what));
      }
      return out;
    }
    if (LITERAL_START.matcher(s).find()) {
      throw ConfigException.wrap(what + ": the value looks like a Python literal but does not parse: "
          + literalError.getMessage(), literalError);
    }
    if (PY_INT.matcher(s).matches()) {
      BigInteger b = new BigInteger(s.replace("_", "").replace("+", ""));
      if (b.bitLength() > 63) {
        throw ConfigException.wrap(what + ": integer " + PyLexer.abbreviate(s, 40)
            + " does not fit a 64-bit signed integer", null);
      }
      return b.longValue();
    }
    if (PY_FLOAT.matcher(s).matches()) {
      String f = s.replace("_", "").toLowerCase();
      return f.endsWith("nan") ? Double.NaN
          : f.endsWith("inf") || f.endsWith("infinity")
              ? (f.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
              : Double.parseDouble(f);
    }
    if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
      return Boolean.valueOf(s.equalsIgnoreCase("true"));
    }
    return s;
  }

  /** Splits at commas outside brackets and quotes. */
  private static List<String> splitTopLevelCommas(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth = Math.max(0, depth - 1);
      } else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(s.substring(start));
    return parts;
  }

  /**
   * Sets {@code dottedPath} of {@code base} to {@code value}, creating missing dicts on the way; a
   * numeric segment selects an item of an existing list. With {@code merge}, a dict value is
   * merged into a dict already there (mmcv's rule).
   */
  static Config set(Config base, String dottedPath, Object value, boolean merge, String what) {
    String[] segs = dottedPath.split("\\.", -1);
    for (String seg : segs) {
      if (seg.isEmpty()) {
        throw ConfigException.wrap("malformed key '" + PyLexer.abbreviate(dottedPath, 80) + "' in " + what
            + ": empty segment between dots", null);
      }
    }
    if (segs.length > ConfigLoader.MAX_DEPTH) {
      throw ConfigException.wrap("key '" + PyLexer.abbreviate(dottedPath, 80) + "' in " + what + " has "
          + segs.length + " segments, more than " + ConfigLoader.MAX_DEPTH + " (ConfigLoader.MAX_DEPTH)",
          null);
    }
    String prefix = base.path().isEmpty() ? "" : base.path() + ".";
    return (Config) setIn(base, segs, 0, value, merge, what, prefix);
  }

  private static String pathTo(String prefix, String[] segs, int i) {
    return prefix + String.join(".", java.util.Arrays.copyOfRange(segs, 0, i + 1));
  }

  private static Object setIn(Object node, String[] segs, int i, Object value, boolean merge, String what,
      String prefix) {
    String seg = segs[i];
    boolean last = i == segs.length - 1;
    if (node instanceof Config c) {
      boolean present = c.keys().contains(seg);
      Object child = c.get(seg);
      Object updated = last
          ? (merge ? merged(value, present, child, pathTo(prefix, segs, i)) : value)
          : setIn(descend(present, child, segs, i, what, prefix), segs, i + 1, value, merge, what, prefix);
      return c.with(seg, updated);
    }
    List<?> list = (List<?>) node;
    int idx = Integer.parseInt(seg);
    Object child = list.get(idx);
    Object updated = last
        ? (merge ? merged(value, true, child, pathTo(prefix, segs, i)) : value)
        : setIn(descend(true, child, segs, i, what, prefix), segs, i + 1, value, merge, what, prefix);
    List<Object> copy = new ArrayList<>(list);
    copy.set(idx, updated);
    return copy;
  }

  /** The container at {@code segs[0..i]} that {@code segs[i + 1]} addresses, checked. */
  private static Object descend(boolean present, Object child, String[] segs, int i, String what,
      String prefix) {
    String here = pathTo(prefix, segs, i);
    String full = pathTo(prefix, segs, segs.length - 1);
    if (!present) {
      return Config.empty();
    }
    if (child instanceof Config) {
      return child;
    }
    if (child instanceof List<?> list && !(child instanceof PyTuple)) {
      String next = segs[i + 1];
      if (!INDEX.matcher(next).matches()) {
        throw ConfigException.at(here, "cannot set '" + full + "' (" + what + "): '" + here
            + "' is a list; select an item by its index, as in " + here + ".0");
      }
      if (next.length() > 9 || Integer.parseInt(next) >= list.size()) {
        throw ConfigException.at(here, "cannot set '" + full + "' (" + what + "): index " + next
            + " is out of range for '" + here + "', a list of " + list.size() + " items");
      }
      return child;
    }
    throw ConfigException.at(here, "cannot set '" + full + "' (" + what + "): '" + here + "' is "
        + kindWithValue(child) + ", not a dict");
  }

  private static String kindWithValue(Object v) {
    if (v == null) {
      return "None";
    }
    return ConfigLoader.kindOf(v) + " (" + PyLexer.abbreviate(ConfigWriter.oneLine(v), 60) + ")";
  }

  /** mmcv's merge of an override value into the value already at {@code path}. */
  private static Object merged(Object value, boolean present, Object existing, String path) {
    if (!(value instanceof Map<?, ?> m)) {
      return value;
    }
    Map<String, Object> update = new LinkedHashMap<>();
    m.forEach((k, v) -> update.put(String.valueOf(k), v));
    boolean delete = ConfigMerge.truthy(update.remove(DELETE_KEY));
    if (!present || delete) {
      return stripDelete(update);
    }
    if (existing instanceof Config old) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (String k : old.keys()) {
        out.put(k, old.get(k));
      }
      for (Map.Entry<String, Object> e : update.entrySet()) {
        String k = e.getKey();
        out.put(k, merged(e.getValue(), out.containsKey(k), out.get(k), path + "." + k));
      }
      return out;
    }
    if (existing instanceof List<?> list && !(existing instanceof PyTuple)) {
      List<Object> out = new ArrayList<>(list);
      for (Map.Entry<String, Object> e : update.entrySet()) {
        String k = e.getKey();
        if (!INDEX.matcher(k).matches() || k.length() > 9 || Integer.parseInt(k) >= list.size()) {
          throw ConfigException.at(path, "cannot merge key '" + k + "' into '" + path + "', a list of "
              + list.size() + " items; only indexes 0.." + (list.size() - 1) + " can be merged into a list");
        }
        int idx = Integer.parseInt(k);
        out.set(idx, merged(e.getValue(), true, list.get(idx), path + "." + k));
      }
      return out;
    }
    throw ConfigException.at(path, "cannot merge a dict into '" + path + "', which is "
        + kindWithValue(existing) + "; add " + DELETE_KEY + "=True to the dict to replace the value instead");
  }

  private static Object stripDelete(Object v) {
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> {
        if (!DELETE_KEY.equals(k)) {
          out.put(String.valueOf(k), stripDelete(x));
        }
      });
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      l.forEach(x -> out.add(stripDelete(x)));
      return v instanceof PyTuple ? PyTuple.of(out) : out;
    }
    return v;
  }
}
