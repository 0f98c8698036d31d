package io.detkit.core.config;

import io.detkit.core.tensor.Tensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
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
 * Calls other than {@code dict}, attribute access, subscripts, operators, lambdas, f-strings,
 * comprehensions and statements other than assignments are rejected with their line and column,
 * e.g. {@code cfg.py:3:9: only literals and dict(...) are allowed; got a call to '__import__'}.
 * MMDetection's {@code _base_} inheritance is not resolved: {@code _base_} stays a plain key.
 *
 * <p><b>JSON</b> is read with Jackson's streaming parser, without data binding: integers become
 * {@link Long}, other numbers {@link Double}; {@code NaN} and {@code Infinity} are accepted, as
 * Python's {@code json} module writes them. <b>YAML</b> is read with snakeyaml-engine under the
 * YAML 1.2 core schema: only the tags {@code !!str}, {@code !!int}, {@code !!float},
 * {@code !!bool}, {@code !!null}, {@code !!seq} and {@code !!map} are accepted and no class is
 * ever instantiated. The top level of both must be a mapping with string keys.
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

  private ConfigLoader() {}

  /**
   * Reads a config file by its extension: {@code .py} (Python config), {@code .json}, {@code .yaml}
   * or {@code .yml}, as UTF-8.
   *
   * @throws ConfigException if the file is missing, unreadable, too large, not UTF-8, has another
   *     extension, or does not parse
   */
  public static Config fromFile(Path path) {
    Tensors.requireNonNull(path, "path");
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (!ext.equals("py") && !ext.equals("json") && !ext.equals("yaml") && !ext.equals("yml")) {
      throw ConfigException.wrap("unsupported config file " + path + ": expected a .py, .json, .yaml or .yml"
          + " extension; got " + (ext.isEmpty() ? "none" : "'." + ext + "'"), null);
    }
    String text = read(path);
    String source = path.toString();
    return switch (ext) {
      case "py" -> fromPython(text, source);
      case "json" -> fromJson(text, source);
      default -> fromYaml(text, source);
    };
  }

  private static String read(Path path) {
    byte[] bytes;
    try {
      if (Files.isDirectory(path)) {
        throw ConfigException.wrap("config file " + path + " is a directory", null);
      }
      long size = Files.size(path);
      if (size > MAX_SOURCE_SIZE) {
        throw ConfigException.wrap("config file " + path + " is " + size + " bytes, more than "
            + MAX_SOURCE_SIZE + " (ConfigLoader.MAX_SOURCE_SIZE)", null);
      }
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw ConfigException.wrap("config file not found: " + path, e);
    } catch (IOException e) {
      throw ConfigException.wrap("cannot read config file " + path + ": " + e, e);
    }
    if (bytes.length > MAX_SOURCE_SIZE) {
      throw ConfigException.wrap("config file " + path + " grew past " + MAX_SOURCE_SIZE
          + " bytes while being read (ConfigLoader.MAX_SOURCE_SIZE)", null);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ConfigException.wrap("config file " + path + " is not valid UTF-8: " + e.getMessage(), e);
    }
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

  private static void checkSize(String source, String sourceName) {
    Tensors.requireNonNull(source, "source");
    if (source.length() > MAX_SOURCE_SIZE) {
      throw ConfigException.wrap(label(sourceName) + ": source is " + source.length()
          + " characters, more than " + MAX_SOURCE_SIZE + " (ConfigLoader.MAX_SOURCE_SIZE)", null);
    }
  }

  static String label(String sourceName) {
    return sourceName == null || sourceName.isEmpty() ? "<config>" : sourceName;
  }

  static String kindOf(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof PyTuple) {
      return "a tuple";
    }
    if (v instanceof java.util.List) {
      return "a list";
    }
    if (v instanceof Map || v instanceof Config) {
      return "a dict";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    return v instanceof Long ? "an integer" : "a float";
  }
}
