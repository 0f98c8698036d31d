package io.detkit.core.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import io.detkit.core.tensor.Tensors;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;

/**
 * Writes configs back out as an MMDetection Python config file or as JSON.
 *
 * <p>{@link #toPython} writes {@code name = dict(...)} for every top-level key, pretty-printed
 * with four-space indents and lines kept under 80 columns where the values allow it. The text is
 * valid Python and {@link ConfigLoader#fromPython} reads it back to an equal config with tuples,
 * ints and floats intact. Dicts are written as {@code dict(k=v)} when every key is a Python
 * identifier and {@code {'k': v}} otherwise; floats as Python's {@code repr} would, infinities as
 * {@code 1e999}.
 *
 * <p>{@link #toJson} writes pretty JSON; tuples become arrays. NaN and infinities have no JSON
 * form and are refused (Python's {@code json} module writes a non-standard {@code NaN} that
 * {@link ConfigLoader#fromJson} rejects).
 */
public final class ConfigWriter {
  private static final int WIDTH = 79;
  private static final String INDENT = "    ";

  private static final JsonFactory JSON = JsonFactory.builder()
      .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
      .build();

  private ConfigWriter() {}

  /**
   * The config as a Python config file.
   *
   * @throws ConfigException if a top-level key is not a Python identifier (or is a keyword or
   *     {@code dict}, which the reader refuses to rebind), or a value is NaN, which has no Python
   *     literal form
   */
  public static String toPython(Config config) {
    Tensors.requireNonNull(config, "config");
    StringBuilder sb = new StringBuilder();
    for (String key : config.keys()) {
      if (!isKwargName(key)) {
        throw ConfigException.at(key, "a top-level key must be a Python identifier that is not a keyword"
            + " to be written as 'name = ...'; got '" + key + "'");
      }
      // 'dict' is a valid name, but assigning it would shadow the dict(...) the file's literals call,
      // so the reader refuses 'dict = ...' and the writer must not produce it.
      if (key.equals("dict")) {
        throw ConfigException.at(key, "a top-level key named 'dict' cannot be written as 'dict = ...': it would"
            + " shadow the dict(...) literals, and ConfigLoader.fromPython refuses it");
      }
      String head = key + " = ";
      sb.append(head);
      write(sb, config.get(key), 0, head.length(), key);
      sb.append('\n');
    }
    return sb.toString();
  }

  /**
   * The config as pretty-printed JSON (tuples as arrays), ending with a newline.
   *
   * @throws IllegalArgumentException if {@code config} is null
   * @throws ConfigException if a value is NaN or infinite, naming its path
   */
  public static String toJson(Config config) {
    Tensors.requireNonNull(config, "config");
    StringWriter out = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(out)) {
      // Python's json.dump(indent=2) layout: "key": value, one member per line.
      DefaultPrettyPrinter pp = new DefaultPrettyPrinter(
          Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
          .withObjectIndenter(new DefaultIndenter("  ", "\n"));
      g.setPrettyPrinter(pp);
      json(g, config, "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.append('\n').toString();
  }

  private static void json(JsonGenerator g, Object v, String path) throws IOException {
    if (v == null) {
      g.writeNull();
    } else if (v instanceof Config c) {
      g.writeStartObject();
      for (String k : c.keys()) {
        g.writeFieldName(k);
        json(g, c.get(k), path.isEmpty() ? k : path + "." + k);
      }
      g.writeEndObject();
    } else if (v instanceof List<?> l) {
      g.writeStartArray();
      for (int i = 0; i < l.size(); i++) {
        json(g, l.get(i), path + "[" + i + "]");
      }
      g.writeEndArray();
    } else if (v instanceof String s) {
      g.writeString(s);
    } else if (v instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (v instanceof Long l) {
      g.writeNumber(l);
    } else {
      double d = (Double) v;
      if (!Double.isFinite(d)) {
        throw ConfigException.at(path, d + " has no JSON form (JSON numbers are finite; NaN and Infinity are"
            + " not JSON)");
      }
      g.writeNumber(d);
    }
  }

  private static boolean isKwargName(String key) {
    return PyLexer.isIdentifier(key) && !PyParser.isKeyword(key);
  }

  /** Appends {@code v}, starting at {@code column} of a line indented {@code level} times. */
  private static void write(StringBuilder sb, Object v, int level, int column, String path) {
    String flat = inline(v, WIDTH - column, path);
    if (flat != null) {
      sb.append(flat);
      return;
    }
    String pad = INDENT.repeat(level + 1);
    if (v instanceof Config c) {
      boolean kwargs = c.keys().stream().allMatch(ConfigWriter::isKwargName);
      sb.append(kwargs ? "dict(\n" : "{\n");
      for (String k : c.keys()) {
        String head = kwargs ? k + "=" : pyString(k) + ": ";
        sb.append(pad).append(head);
        write(sb, c.get(k), level + 1, pad.length() + head.length(), path + "." + k);
        sb.append(",\n");
      }
      sb.append(INDENT.repeat(level)).append(kwargs ? ")" : "}");
    } else {
      List<?> l = (List<?>) v;
      boolean tuple = v instanceof PyTuple;
      sb.append(tuple ? "(\n" : "[\n");
      for (int i = 0; i < l.size(); i++) {
        sb.append(pad);
        write(sb, l.get(i), level + 1, pad.length(), path + "[" + i + "]");
        sb.append(",\n");
      }
      sb.append(INDENT.repeat(level)).append(tuple ? ")" : "]");
    }
  }

  /** {@code v} on one line, or null when that is longer than {@code budget} (scalars always fit). */
  private static String inline(Object v, int budget, String path) {
    if (!(v instanceof Config) && !(v instanceof List)) {
      return scalar(v, path);
    }
    StringBuilder sb = new StringBuilder();
    return inline(sb, v, budget, path) ? sb.toString() : null;
  }

  private static boolean inline(StringBuilder sb, Object v, int budget, String path) {
    return inline(sb, v, budget, path, false);
  }

  /**
   * Appends {@code v} on one line; false as soon as the line passes {@code budget}. {@code repr}:
   * {@link Config#toString}'s form, every key as a keyword and scalars as {@link Config#describe}
   * shows them (strings quoted with {@code '} and {@code \\} escaped); otherwise a Python literal that
   * reads back to the same value.
   */
  private static boolean inline(StringBuilder sb, Object v, int budget, String path, boolean repr) {
    if (v instanceof Config c) {
      boolean kwargs = repr || c.keys().stream().allMatch(ConfigWriter::isKwargName);
      sb.append(kwargs ? "dict(" : "{");
      boolean first = true;
      for (String k : c.keys()) {
        if (!first) {
          sb.append(", ");
        }
        first = false;
        sb.append(kwargs ? k + "=" : pyString(k) + ": ");
        if (!inline(sb, c.get(k), budget, path + "." + k, repr) || sb.length() > budget) {
          return false;
        }
      }
      sb.append(kwargs ? ")" : "}");
    } else if (v instanceof List<?> l) {
      boolean tuple = v instanceof PyTuple;
      sb.append(tuple ? "(" : "[");
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          sb.append(", ");
        }
        if (!inline(sb, l.get(i), budget, path + "[" + i + "]", repr) || sb.length() > budget) {
          return false;
        }
      }
      if (tuple && l.size() == 1) {
        sb.append(',');
      }
      sb.append(tuple ? ")" : "]");
    } else if (repr) {
      sb.append(v instanceof String s ? "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'" : Config.describe(v));
    } else {
      sb.append(scalar(v, path));
    }
    return sb.length() <= budget;
  }

  /** {@link Config#toString}: {@code dict(type='FocalLoss', gamma=2.0)}, on one line. */
  static String repr(Config config) {
    StringBuilder sb = new StringBuilder();
    inline(sb, config, Integer.MAX_VALUE, "", true);
    return sb.toString();
  }

  /** One-line Python rendering for error messages; unlike {@link #toPython} it shows NaN as nan. */
  static String oneLine(Object v) {
    if (v instanceof Double d && d.isNaN()) {
      return "nan";
    }
    StringBuilder sb = new StringBuilder();
    try {
      inline(sb, v instanceof java.util.Map<?, ?> m ? Config.of(m) : v, Integer.MAX_VALUE, "");
    } catch (ConfigException nanInside) {
      return String.valueOf(v);
    }
    return sb.toString();
  }

  private static String scalar(Object v, String path) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    if (v instanceof String s) {
      return pyString(s);
    }
    if (v instanceof Long l) {
      return Long.toString(l);
    }
    double d = (Double) v;
    if (Double.isNaN(d)) {
      throw ConfigException.at(path,
          "NaN has no Python literal form; it cannot be written to a Python config");
    }
    return pyFloat(d);
  }

  /** Python's {@code repr} of a float; infinities as {@code 1e999}, which Python reads back as inf. */
  static String pyFloat(double d) {
    if (Double.isInfinite(d)) {
      return d > 0 ? "1e999" : "-1e999";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    BigDecimal bd = shortestDecimal(Math.abs(d));
    String digits = bd.unscaledValue().toString();
    int exp = digits.length() - 1 - bd.scale();
    StringBuilder sb = new StringBuilder(d < 0 ? "-" : "");
    if (exp >= -4 && exp < 16) {
      if (exp >= 0) {
        if (digits.length() <= exp + 1) {
          sb.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
        } else {
          sb.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
        }
      } else {
        sb.append("0.").append("0".repeat(-exp - 1)).append(digits);
      }
    } else {
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exp < 0 ? '-' : '+');
      int a = Math.abs(exp);
      sb.append(a < 10 ? "0" : "").append(a);
    }
    return sb.toString();
  }

  /**
   * The shortest decimal that reads back as {@code d} and, among those, the closest to it: the
   * digits Python's {@code repr} prints. (Java 17's {@code Double.toString} is not always shortest,
   * e.g. {@code 4.9E-324} where Python prints {@code 5e-324}.)
   */
  private static BigDecimal shortestDecimal(double d) {
    BigDecimal exact = new BigDecimal(d);
    for (int p = 1; p < 17; p++) {
      BigDecimal nearest = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
      if (nearest.doubleValue() == d) {
        return nearest.stripTrailingZeros();
      }
      // Just above a power of two the round-trip interval is lopsided, so the nearest p-digit
      // decimal can miss while the one on the wider side still reads back.
      for (RoundingMode m : new RoundingMode[] {RoundingMode.FLOOR, RoundingMode.CEILING}) {
        BigDecimal other = exact.round(new MathContext(p, m));
        if (other.doubleValue() == d) {
          return other.stripTrailingZeros();
        }
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }

  /** Python's {@code repr} of a str: single quotes unless only double quotes avoid escaping. */
  static String pyString(String s) {
    char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder sb = new StringBuilder().append(q);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == q || cp == '\\') {
        sb.append('\\').appendCodePoint(cp);
      } else if (cp == '\n') {
        sb.append("\\n");
      } else if (cp == '\r') {
        sb.append("\\r");
      } else if (cp == '\t') {
        sb.append("\\t");
      } else if (printable(cp)) {
        sb.appendCodePoint(cp);
      } else if (cp < 0x100) {
        sb.append(String.format("\\x%02x", cp));
      } else if (cp < 0x10000) {
        sb.append(String.format("\\u%04x", cp));
      } else {
        sb.append(String.format("\\U%08x", cp));
      }
    }
    return sb.append(q).toString();
  }

  private static boolean printable(int cp) {
    if (cp == ' ') {
      return true;
    }
    return switch (Character.getType(cp)) {
      case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
          Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
          Character.SPACE_SEPARATOR -> false;
      default -> true;
    };
  }
}
