package io.detkit.core.config;

import io.detkit.core.tensor.Tensors;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads configs from MMDetection Python config files, JSON and YAML, without ever running code.
 *
 * <p><b>Python.</b> {@link #fromPython} accepts the literal subset of Python that MMDetection
 * configs are written in and evaluates nothing. A file is a sequence of top-level assignments
 * {@code name = <literal>}; the result holds every top-level name in the order it was first
 * assigned, the last assignment winning. Literals are {@code dict(k=v, ...)}, {@code {'k': v}},
 * lists, tuples ({@code ()}, {@code (1,)}, {@code (1, 2)}, or bare as in {@code x = 1, 2}; kept
 * as {@link PyTuple}), {@code True}/{@code False}/{@code None}, ints (negative, {@code 1_000},
 * {@code 0x1f}), floats ({@code 1e-4}, {@code .5}, {@code 1.}), single-, double- and
 * triple-quoted strings with escapes and adjacent-literal concatenation, with comments, trailing
 * commas and newlines inside brackets.
 * A bare name refers to an earlier top-level assignment, as in
 * {@code model = dict(train_cfg=train_cfg)}. A string-only statement (a docstring) is ignored.
 * Inside a file the values may also use, with Python's exact semantics (int versus float, true
 * division, the sign rules of {@code //} and {@code %}, tuples staying tuples): {@code **mapping}
 * in {@code dict(...)} and {@code {...}}; {@code + - * / // %} and unary {@code - +} on numbers;
 * {@code +} on two strings, lists or tuples; {@code *} of a string, list or tuple by an int; and
 * subscripts by a literal key or index ({@code img_norm_cfg['mean']}, {@code scales[-1]}).
 * Calls other than {@code dict}, attribute access, slices, comparisons, lambdas, f-strings,
 * comprehensions and statements other than assignments are rejected with their line and column,
 * e.g. {@code cfg.py:3:9: only literals, dict(...), earlier names, the operators + - * / // % and [key]
 * subscripts are allowed; got a call to '__import__'}.
 * {@link #fromPython} leaves {@code _base_} a plain key; {@link #fromFile} resolves it.
 * {@link #fromPythonExpression} reads literals only (no operators), as does
 * {@link ConfigOverrides#parseValue}, where {@code 1-2} is mmcv's string, not -1.
 *
 * <p><b>JSON</b> is read with Jackson's streaming parser, without data binding: integers become
 * {@link Long}, other numbers {@link Double}; {@code NaN} and {@code Infinity}, which are not
 * JSON, and a key repeated in one object are rejected. <b>YAML</b> is read with snakeyaml-engine under the
 * YAML 1.2 core schema: only the tags {@code !!str}, {@code !!int}, {@code !!float},
 * {@code !!bool}, {@code !!null}, {@code !!seq} and {@code !!map} are accepted and no class is
 * ever instantiated; a key repeated in one mapping is rejected (YAML 1.2 forbids it). The top level
 * of both must be a mapping with string keys.
 *
 * <p><b>Limits.</b> Every reader enforces {@link #MAX_SOURCE_SIZE}, {@link #MAX_DEPTH},
 * {@link #MAX_STRING_LENGTH} and {@link #MAX_VALUES}, so hostile input fails fast with a
 * {@link ConfigException} instead of exhausting the stack or the heap.
 *
 * <p>Every method throws {@link ConfigException} (an {@link IllegalArgumentException}) on bad
 * input; syntax errors name the source, the 1-based line and column and the reason.
 */
public final class ConfigLoader {
  /**
   * The deepest nesting of dicts, lists and tuples accepted (a flat {@code dict(a=1)} is one level;
   * in a Python file each top-level value counts from one).
   */
  public static final int MAX_DEPTH = 100;

  /** The longest single string accepted, in characters (after escapes and concatenation). */
  public static final int MAX_STRING_LENGTH = 1_000_000;

  /** The largest source accepted: 16 MiB, in bytes for a file and in characters for a string. */
  public static final int MAX_SOURCE_SIZE = 16 * 1024 * 1024;

  /**
   * The most values (scalars and containers) one config may expand to. A Python variable that is
   * referenced, or a YAML alias, counts in full at every use, so reference chains that double at
   * each step cannot build an exponentially large tree.
   */
  public static final int MAX_VALUES = 1_000_000;

  /** The most files one {@link #fromFile} call reads: the file itself and every base, recursively. */
  public static final int MAX_BASE_FILES = 64;

  private ConfigLoader() {}

  /**
   * Reads a config file as mmcv 1.x's {@code Config.fromfile} does, by its extension: {@code .py}
   * (Python config), {@code .json}, {@code .yaml} or {@code .yml}, as UTF-8, with its
   * {@code _base_} chain merged in, {@code {{_base_.a.b}}} references resolved and the predefined
   * {@code {{ fileDirname }}}, {@code {{ fileBasename }}}, {@code {{ fileBasenameNoExtension }}} and
   * {@code {{ fileExtname }}} replaced (see {@code docs/configs.md}). Base paths are relative to
   * the file that names them. Only regular files are read, at most {@link #MAX_SOURCE_SIZE} bytes
   * each and {@link #MAX_BASE_FILES} per call.
   *
   * @throws ConfigException if a file is missing (naming the file that asked for it), unreadable,
   *     not a regular file, too large, not UTF-8, has another extension or does not parse; if the
   *     {@code _base_} chain has a cycle (naming its files), two bases of one file define the same
   *     key, a {@code {{_base_.x}}} does not exist, or a dict of a file cannot merge into its
   *     base's value
   */
  public static Config fromFile(Path path) {
    Tensors.requireNonNull(path, "path");
    return ConfigFiles.load(path);
  }

  /**
   * Parses an MMDetection Python config file (see the class comment for the accepted subset).
   *
   * @param sourceName a file name or label used in error messages
   * @return a root config holding every top-level name
   * @throws ConfigException on a syntax error, a construct that would need evaluation, an unknown
   *     name, or a limit exceeded
   */
  public static Config fromPython(String source, String sourceName) {
    checkSize(source, sourceName);
    return Config.of(PyParser.parseModule(source, sourceName));
  }

  /**
   * Parses a single Python dict literal, {@code dict(...)} or {@code {...}}, such as the
   * {@code repr()} of an MMDetection config dict. Names cannot be referenced.
   *
   * @throws ConfigException if the text is not exactly one literal or the literal is not a dict
   */
  public static Config fromPythonExpression(String expr, String sourceName) {
    checkSize(expr, sourceName);
    Object v = PyParser.parseLiteral(expr, sourceName);
    if (!(v instanceof Map<?, ?> m)) {
      throw ConfigException.wrap(label(sourceName) + ": expected a dict literal (dict(...) or {...}); got "
          + kindOf(v), null);
    }
    return Config.of(m);
  }

  /**
   * Parses a JSON object.
   *
   * @throws ConfigException with the line and column Jackson reports on a syntax error, or if the
   *     top level is not an object, an integer does not fit a long, or a limit is exceeded
   */
  public static Config fromJson(String json, String sourceName) {
    checkSize(json, sourceName);
    return Config.of(JsonConfigReader.read(json, label(sourceName)));
  }

  /**
   * Parses a YAML mapping under the YAML 1.2 core schema. An empty document is an empty config.
   *
   * @throws ConfigException on a syntax error, a tag outside the core schema (such as
   *     {@code !!javax.script.ScriptEngineManager} or any {@code !local} tag), a non-string key, a
   *     top level that is not a mapping, or a limit exceeded
   */
  public static Config fromYaml(String yaml, String sourceName) {
    checkSize(yaml, sourceName);
    return Config.of(YamlConfigReader.read(yaml, label(sourceName)));
  }

  static String checkSize(String source, String sourceName) {
    Tensors.requireNonNull(source, "source");
    if (source.length() > MAX_SOURCE_SIZE) {
      throw ConfigException.wrap(label(sourceName) + ": source is " + source.length()
          + " characters, more than " + MAX_SOURCE_SIZE + " (ConfigLoader.MAX_SOURCE_SIZE)", null);
    }
    return source;
  }

  static String label(String sourceName) {
    return sourceName == null || sourceName.isEmpty() ? "<config>" : sourceName;
  }

  /** How a value's kind reads in a message: "a dict", "an integer", "None"... */
  static String kindOf(Object v) {
    return switch (PyOperators.typeName(v instanceof Config ? Map.of() : v)) {
      case "NoneType" -> "None";
      case "tuple" -> "a tuple";
      case "list" -> "a list";
      case "dict" -> "a dict";
      case "str" -> "a string";
      case "bool" -> "a boolean";
      case "int" -> "an integer";
      default -> "a float";
    };
  }
}
