package io.detkit.core.assign;

import io.detkit.core.config.Config;
import io.detkit.core.config.PyTuple;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Python {@code repr} of a config dict ({@code config_repr} in the golden manifest),
 * keeping what JSON loses: tuples versus lists and ints versus floats. Handles dicts, lists, tuples,
 * strings, ints, floats (including inf/nan written as {@code float('inf')}), True, False and None.
 */
final class PyLiteral {
  private final String s;
  private int pos;

  private PyLiteral(String s) {
    this.s = s;
  }

  /** The config that {@code repr} describes. */
  static Config parseConfig(String repr) {
    PyLiteral p = new PyLiteral(repr);
    Object v = p.value();
    p.skipWs();
    if (p.pos != p.s.length()) {
      throw p.error("trailing characters");
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException("config_repr is not a dict: " + repr);
    }
    return Config.of(m);
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at " + pos + " in " + s);
  }

  private void skipWs() {
    while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
      pos++;
    }
  }

  private boolean consume(char c) {
    skipWs();
    if (pos < s.length() && s.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!consume(c)) {
      throw error("expected '" + c + "'");
    }
  }

  private Object value() {
    skipWs();
    if (pos >= s.length()) {
      throw error("unexpected end");
    }
    char c = s.charAt(pos);
    switch (c) {
      case '{':
        return dict();
      case '[':
        pos++;
        return sequence(']');
      case '(':
        pos++;
        return PyTuple.of(sequence(')'));
      case '\'':
      case '"':
        return string(c);
      default:
        return atom();
    }
  }

  private Map<Object, Object> dict() {
    expect('{');
    Map<Object, Object> m = new LinkedHashMap<>();
    if (consume('}')) {
      return m;
    }
    do {
      if (consume('}')) {
        return m;
      }
      Object k = value();
      expect(':');
      m.put(k, value());
    } while (consume(','));
    expect('}');
    return m;
  }

  private List<Object> sequence(char close) {
    List<Object> items = new ArrayList<>();
    if (consume(close)) {
      return items;
    }
    do {
      if (consume(close)) {
        return items;
      }
      items.add(value());
    } while (consume(','));
    expect(close);
    return items;
  }

  private String string(char quote) {
    pos++;
    StringBuilder sb = new StringBuilder();
    while (pos < s.length() && s.charAt(pos) != quote) {
      char c = s.charAt(pos++);
      if (c == '\\' && pos < s.length()) {
        char e = s.charAt(pos++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          default -> sb.append(e);
        }
      } else {
        sb.append(c);
      }
    }
    if (pos >= s.length()) {
      throw error("unterminated string");
    }
    pos++;
    return sb.toString();
  }

  private Object atom() {
    int start = pos;
    while (pos < s.length() && ",:)]} ".indexOf(s.charAt(pos)) < 0) {
      if (s.charAt(pos) == '(') {
        // float('inf') and friends
        int close = s.indexOf(')', pos);
        pos = close + 1;
        break;
      }
      pos++;
    }
    String t = s.substring(start, pos).trim();
    switch (t) {
      case "True":
        return Boolean.TRUE;
      case "False":
        return Boolean.FALSE;
      case "None":
        return null;
      case "float('inf')":
      case "inf":
        return Double.POSITIVE_INFINITY;
      case "float('-inf')":
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      case "float('nan')":
      case "nan":
        return Double.NaN;
      default:
        break;
    }
    if (t.matches("[-+]?\\d+")) {
      return Long.parseLong(t);
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw error("cannot parse '" + t + "'");
    }
  }
}
