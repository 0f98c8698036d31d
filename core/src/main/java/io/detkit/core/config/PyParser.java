package io.detkit.core.config;

import io.detkit.core.config.PyLimits.Value;
import io.detkit.core.config.PyToken.Kind;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A recursive-descent parser for the subset of Python in which MMDetection configs are written.
 * It runs nothing: it accepts top-level {@code name = <value>} assignments, literals
 * ({@code dict(k=v)}, {@code {'k': v}}, lists, tuples, strings, numbers,
 * {@code True}/{@code False}/{@code None}; read by {@link PyLiterals}), bare names that refer to an
 * earlier top-level assignment or (in a file with {@code _base_}) to a base's name, and, in a module,
 * the expressions of {@link PyOperators} with Python's precedence ({@code * / // %} over
 * {@code + -}, unary signs over both, subscripts over all), {@code **mapping} in dicts and
 * {@code {{_base_.x}}} references (kept as {@link BaseRef}s). A single literal
 * ({@link #parseLiteral}) reads literals only. Every other construct is rejected with its line and
 * column and a reason that names it ({@link PyRefusals}).
 *
 * <p>Values come out as {@link LinkedHashMap} (dict), {@link java.util.ArrayList} (list),
 * {@link PyTuple}, {@link String}, {@link Long}, {@link Double}, {@link Boolean}, {@code null} and
 * {@link BaseRef}, ready for {@link Config#of(Map)} once the references are resolved.
 */
final class PyParser extends PyLiterals {
  private static final String STATEMENT_RULE = "only top-level assignments 'name = <literal>' are allowed; ";

  /**
   * Called when a config file assigns {@code _base_}: loads the bases the value names and returns
   * their merged top-level names, which later statements may then use as bare names.
   */
  interface BaseHook {
    Map<String, Object> load(Object baseValue, int line, int column);
  }

  private final BaseHook baseHook;
  private boolean baseAssigned;

  private PyParser(String source, String sourceName, boolean expressions, BaseHook baseHook) {
    super(source, sourceName, expressions, baseHook != null);
    this.baseHook = baseHook;
  }

  /** Whether {@code name} is a reserved word of Python 3. */
  static boolean isKeyword(String name) {
    return PyRefusals.KEYWORDS.contains(name);
  }

  /** Parses a config module: the top-level names in first-assignment order, later values winning. */
  static Map<String, Object> parseModule(String source, String sourceName) {
    return parseModule(source, sourceName, null);
  }

  /**
   * Parses a config module whose {@code _base_} assignment, if any, is handed to {@code baseHook}
   * (null: {@code _base_} is a plain name). {@code {{_base_.x}}} references come out as
   * {@link BaseRef} values for the caller to substitute.
   */
  static Map<String, Object> parseModule(String source, String sourceName, BaseHook baseHook) {
    return new PyParser(source, sourceName, true, baseHook).module();
  }

  /** Parses one literal (any type, no name references), surrounded by optional blank lines. */
  static Object parseLiteral(String source, String sourceName) {
    PyParser p = new PyParser(source, sourceName, false, null);
    Value v = p.value();
    while (p.lexer.peek().kind == Kind.NEWLINE) {
      p.lexer.next();
    }
    PyToken t = p.lexer.peek();
    if (t.kind != Kind.EOF) {
      throw p.afterValue(t, "the end of the input after one literal");
    }
    return v.object();
  }

  private Map<String, Object> module() {
    Map<String, Object> out = new LinkedHashMap<>();
    boolean lineStart = true;
    while (true) {
      PyToken t = lexer.peek();
      if (t.kind == Kind.EOF) {
        break;
      }
      if (t.kind == Kind.NEWLINE) {
        lexer.next();
        lineStart = true;
        continue;
      }
      if (lineStart && t.column != 1) {
        throw lexer.error(t, "unexpected indent: a top-level statement must start in column 1");
      }
      statement(out);
      PyToken end = lexer.peek();
      if (end.isOp(";") || end.kind == Kind.NEWLINE || end.kind == Kind.EOF) {
        lexer.next();
      }
      if (end.isOp(";")) {
        lineStart = false;
        continue;
      }
      if (end.kind != Kind.NEWLINE && end.kind != Kind.EOF) {
        if (end.isOp("=")) {
          throw lexer.error(end,
              "chained assignment (a = b = ...) is not supported; assign one name per statement");
        }
        throw afterValue(end, "the end of the line");
      }
      if (end.kind == Kind.EOF) {
        break;
      }
      lineStart = true;
    }
    return out;
  }

  private void statement(Map<String, Object> out) {
    PyToken t = lexer.peek();
    if (t.kind == Kind.NAME) {
      PyToken after = lexer.peek(1);
      if (isKeyword(t.text) && !isValueKeyword(t.text)) {
        throw lexer.error(t, STATEMENT_RULE + "got " + (t.text.equals("import") || t.text.equals("from")
            ? "an import statement"
            : ("aeiou".indexOf(t.text.charAt(0)) >= 0 ? "an '" : "a '") + t.text + "' statement"));
      }
      if (after.isOp("=")) {
        assignment(t, out);
        return;
      }
      if (PyRefusals.isAugmentedAssignment(after)) {
        throw lexer.error(after, allowed + "got the augmented assignment '" + after.text + "'");
      }
      if (after.isOp(":")) {
        throw lexer.error(after, "annotated assignments (name: type = value) are not supported");
      }
      if (after.isOp(",")) {
        throw lexer.error(after,
            "unpacking assignments (a, b = ...) are not supported; assign one name per statement");
      }
    }
    PyToken start = t;
    Value v = expression();
    if (lexer.peek().isOp("=")) {
      throw lexer.error(start, "only a plain name can be assigned at the top level");
    }
    if (v.object() instanceof String && start.kind == Kind.STRING) {
      return; // a docstring, a no-op in Python
    }
    throw lexer.error(start, STATEMENT_RULE + "got a bare expression");
  }

  /** {@code name = value}, with {@code name} at {@code t}; a {@code _base_} value loads the bases. */
  private void assignment(PyToken t, Map<String, Object> out) {
    if (isKeyword(t.text)) {
      throw lexer.error(t, "cannot assign to the keyword '" + t.text + "'");
    }
    if (t.text.equals("dict")) {
      throw lexer.error(t, "cannot assign to 'dict': dict(...) literals rely on the built-in name");
    }
    lexer.next();
    lexer.next();
    Value v = expression();
    if (lexer.peek().isOp(",")) {
      v = bareTuple(v);
    }
    variables.put(t.text, v);
    out.put(t.text, v.object());
    if (t.text.equals("_base_") && baseHook != null) {
      if (baseAssigned) {
        throw lexer.error(t, "_base_ is assigned twice; list every base in one assignment");
      }
      baseAssigned = true;
      inherited = baseHook.load(v.object(), t.line, t.column);
    }
  }

  private static boolean isValueKeyword(String name) {
    return name.equals("True") || name.equals("False") || name.equals("None") || name.equals("lambda")
        || name.equals("not") || name.equals("await") || name.equals("yield");
  }

  /** One value: in a file an arithmetic expression over literals and names, in a literal just a literal. */
  @Override
  Value expression() {
    return expressions ? additive() : value();
  }

  private Value additive() {
    Value left = multiplicative();
    while (lexer.peek().isOp("+") || lexer.peek().isOp("-")) {
      PyToken op = lexer.next();
      left = binary(op, left, multiplicative());
    }
    return left;
  }

  private Value multiplicative() {
    Value left = unary();
    while (lexer.peek().isOp("*") || lexer.peek().isOp("/") || lexer.peek().isOp("//")
        || lexer.peek().isOp("%")) {
      PyToken op = lexer.next();
      left = binary(op, left, unary());
    }
    return left;
  }

  private Value unary() {
    PyToken sign = lexer.peek();
    if (!sign.isOp("-") && !sign.isOp("+")) {
      return postfix();
    }
    lexer.next();
    PyToken t = lexer.peek();
    if (t.kind == Kind.NUMBER) {
      // Folded so that -9223372036854775808 is read although 9223372036854775808 alone does not fit;
      // '**', the only operator binding tighter than a sign, is refused anyway.
      lexer.next();
      return limits.scalar(sign, number(t, sign.text.equals("-")));
    }
    limits.enterSign(sign);
    Value v = unary();
    limits.exitSign();
    Object r = PyOperators.unary(sign.text, v.object(), m -> lexer.error(sign, m));
    return new Value(r, v.depth(), v.size());
  }

  private Value postfix() {
    Value v = value();
    while (lexer.peek().isOp("[")) {
      PyToken open = lexer.next();
      Object key = subscriptKey();
      PyToken close = lexer.peek();
      if (close.isOp(":")) {
        throw lexer.error(close, allowed + "got a slice; only a literal key or index can be subscripted");
      }
      if (!close.isOp("]")) {
        throw afterValue(close, "']'");
      }
      lexer.next();
      Object item = PyOperators.subscript(v.object(), key, m -> lexer.error(open, m));
      v = limits.measured(open, item);
    }
    return v;
  }

  /** The literal inside {@code [...]}: a string, an int or a negative int. */
  private Object subscriptKey() {
    PyToken t = lexer.peek();
    if (t.kind == Kind.STRING) {
      return strings().object();
    }
    boolean negative = t.isOp("-");
    PyToken n = negative ? lexer.peek(1) : t;
    if (n.kind == Kind.NUMBER && n.value instanceof BigInteger) {
      if (negative) {
        lexer.next();
      }
      lexer.next();
      return number(n, negative);
    }
    throw lexer.error(t, "a subscript takes a literal key or index ('name' or 3); got " + t.describe());
  }

  private Value binary(PyToken op, Value left, Value right) {
    Object r = PyOperators.binary(op.text, left.object(), right.object(), maxItems(left, right),
        m -> lexer.error(op, m));
    if (r instanceof List<?> l && l.size() != 0) {
      return limits.measured(op, r);
    }
    return new Value(r, Math.max(left.depth(), right.depth()), 1);
  }

  /** How many items a list result may hold, or characters a string, before it breaks a limit. */
  private static long maxItems(Value left, Value right) {
    return left.object() instanceof String || right.object() instanceof String
        ? ConfigLoader.MAX_STRING_LENGTH : ConfigLoader.MAX_VALUES;
  }
}
