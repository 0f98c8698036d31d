package io.detkit.core.config;

import io.detkit.core.config.PyLimits.Value;
import io.detkit.core.config.PyToken.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values of the config subset, without operators: numbers, strings, {@code True}/{@code False}/
 * {@code None}, names, lists, tuples, {@code {...}} dicts and {@code dict(...)} calls, with
 * {@code **mapping} in dicts when expressions are on. The items of a container are read by
 * {@link #expression()}, which {@link PyParser} gives operators in a file and leaves to
 * {@link #value()} in a single literal. One instance per parse; not thread-safe.
 */
abstract class PyLiterals {
  final PyLexer lexer;
  final PyLimits limits;
  /** Whether operators, subscripts, '**' and base references are read (a file) or refused (a literal). */
  final boolean expressions;
  /** Whether {@code {{_base_.x}}} references may appear (a file loaded with its bases). */
  private final boolean baseRefs;
  /** {@link PyRefusals#IN_MODULE} or {@link PyRefusals#IN_LITERAL}. */
  final String allowed;
  /** The top-level names assigned so far, which later values may use. */
  final Map<String, Value> variables = new LinkedHashMap<>();
  /** The merged top-level names of the bases, once {@code _base_} is assigned. */
  Map<String, Object> inherited = Map.of();

  PyLiterals(String source, String sourceName, boolean expressions, boolean baseRefs) {
    this.allowed = expressions ? PyRefusals.IN_MODULE : PyRefusals.IN_LITERAL;
    this.lexer = new PyLexer(source, sourceName, allowed);
    this.limits = new PyLimits(lexer);
    this.expressions = expressions;
    this.baseRefs = baseRefs;
  }

  /** One value where a container item or an assigned value stands. */
  abstract Value expression();

  final ConfigException afterValue(PyToken t, String expected) {
    return PyRefusals.afterValue(lexer, limits, allowed, t, expected);
  }

  /** A value without operators, the operand of an expression. */
  final Value value() {
    PyToken t = lexer.peek();
    switch (t.kind) {
      case NUMBER -> {
        lexer.next();
        return limits.scalar(t, number(t, false));
      }
      case STRING -> {
        return strings();
      }
      case NAME -> {
        return nameValue();
      }
      case OP -> {
        return switch (t.text) {
          case "[" -> list();
          case "(" -> parenthesized();
          case "{" -> braces();
          case "-", "+" -> signedNumber();
          case "*", "**" -> throw lexer.error(t, allowed + "got '" + t.text + "' unpacking");
          case "..." -> throw lexer.error(t, allowed + "got '...' (Ellipsis)");
          default -> throw PyRefusals.OPERATORS.contains(t.text)
              ? lexer.error(t, allowed + "got the operator '" + t.text + "'")
              : lexer.error(t, "expected a value, got " + t.describe());
        };
      }
      case BASEREF -> {
        lexer.next();
        if (!expressions || !baseRefs) {
          throw lexer.error(t, t.text + " refers to a base file's value; it is only read in a config file"
              + " loaded with ConfigLoader.fromFile");
        }
        return limits.scalar(t, new BaseRef((String) t.value, lexer.sourceName(), t.line, t.column));
      }
      case NEWLINE -> throw lexer.error(t, "expected a value, got the end of the line");
      default -> {
        ConfigException unclosed = limits.unclosedOrNull(t);
        throw unclosed != null ? unclosed : lexer.error(t, "expected a value, got the end of the input");
      }
    }
  }

  /** The number {@code t}, negated when {@code negate}: a Long (64-bit, else an error) or a Double. */
  final Object number(PyToken t, boolean negate) {
    if (t.value instanceof Double d) {
      return negate ? -d : d;
    }
    BigInteger b = (BigInteger) t.value;
    if (negate) {
      b = b.negate();
    }
    if (b.bitLength() > 63) {
      throw lexer.error(t, "integer " + (negate ? "-" : "") + PyLexer.abbreviate(t.text, 40)
          + " does not fit a 64-bit signed integer");
    }
    return b.longValue();
  }

  /** A sign before a number (or {@code inf}) in a literal, where no other unary operand is allowed. */
  private Value signedNumber() {
    PyToken sign = lexer.next();
    PyToken t = lexer.peek();
    if (t.kind == Kind.NAME && t.text.equals("inf") && !variables.containsKey("inf")) {
      lexer.next();
      return limits.scalar(sign, sign.text.equals("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    if (t.kind != Kind.NUMBER) {
      throw lexer.error(sign, allowed + "got the unary operator '" + sign.text
          + "' applied to " + t.describe() + " (a sign may only precede a number)");
    }
    lexer.next();
    return limits.scalar(sign, number(t, sign.text.equals("-")));
  }

  /** One string or adjacent strings, concatenated as Python does. */
  final Value strings() {
    PyToken first = lexer.next();
    String s = (String) first.value;
    if (lexer.peek().kind == Kind.STRING) {
      StringBuilder sb = new StringBuilder(s);
      while (lexer.peek().kind == Kind.STRING) {
        sb.append((String) lexer.next().value);
        if (sb.length() > ConfigLoader.MAX_STRING_LENGTH) {
          throw lexer.error(first, "string literal longer than " + ConfigLoader.MAX_STRING_LENGTH
              + " characters (ConfigLoader.MAX_STRING_LENGTH)");
        }
      }
      s = sb.toString();
    }
    return limits.scalar(first, s);
  }

  private Value nameValue() {
    PyToken t = lexer.next();
    switch (t.text) {
      case "True" -> {
        return limits.scalar(t, Boolean.TRUE);
      }
      case "False" -> {
        return limits.scalar(t, Boolean.FALSE);
      }
      case "None" -> {
        return limits.scalar(t, null);
      }
      case "lambda" -> throw lexer.error(t, allowed + "got a lambda");
      case "not" -> throw lexer.error(t, allowed + "got the operator 'not'");
      case "await", "yield" -> throw lexer.error(t, allowed + "got '" + t.text + "'");
      default -> { }
    }
    if (PyRefusals.KEYWORDS.contains(t.text)) {
      throw lexer.error(t, "expected a value, got the keyword '" + t.text + "'");
    }
    PyToken after = lexer.peek();
    if (after.isOp("(")) {
      if (t.text.equals("dict")) {
        return dictCall(t);
      }
      throw lexer.error(t, allowed + "got a call to '" + t.text + "'");
    }
    if (after.isOp(".")) {
      StringBuilder dotted = new StringBuilder(t.text);
      int k = 0;
      while (lexer.peek(k).isOp(".") && lexer.peek(k + 1).kind == Kind.NAME && k < 16) {
        dotted.append('.').append(lexer.peek(k + 1).text);
        k += 2;
      }
      throw lexer.error(t, allowed + "got attribute access '" + dotted + "'");
    }
    if (after.isOp("[") && !expressions) {
      throw lexer.error(t, allowed + "got a subscript '" + t.text + "[...]'");
    }
    return reference(t, after);
  }

  /** The value of the bare name {@code t} (followed by {@code after}). */
  private Value reference(PyToken t, PyToken after) {
    Value v = variables.get(t.text);
    if (v == null && inherited.containsKey(t.text)) {
      return limits.measured(t, inherited.get(t.text)); // counted by measured
    }
    if (v == null && (after.kind == Kind.OP && PyRefusals.OPERATORS.contains(after.text)
        && !(expressions && PyRefusals.BINARY.contains(after.text))
        || after.kind == Kind.NAME && (PyRefusals.WORD_OPERATORS.contains(after.text)
            || after.text.equals("for") || after.text.equals("if")))) {
      // `[i for i in x]` or `y + 1`: the construct is the problem, not the unknown name.
      throw afterValue(after, "a value");
    }
    if (v == null && (t.text.equals("inf") || t.text.equals("nan"))) {  // -inf: see signedNumber
      // Python's repr writes float('inf') and float('nan') as bare names; configs dumped with repr
      // (MMDetection's config_repr among them) contain them, so read them as the floats they name.
      return limits.scalar(t, t.text.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN);
    }
    if (v == null) {
      throw lexer.error(t, "unknown name '" + t.text + "': a bare name must refer to an earlier top-level"
          + " assignment" + (inherited.isEmpty() ? "" : " or a name of the bases") + (variables.isEmpty()
              ? " (none so far)"
              : " (defined so far: " + PyLexer.abbreviate(String.join(", ", variables.keySet()), 400) + ")"));
    }
    limits.count(t, v.size());
    return v;
  }

  private Value list() {
    PyToken open = lexer.next();
    limits.open(open);
    List<Value> items = new ArrayList<>();
    while (!lexer.peek().isOp("]")) {
      items.add(expression());
      if (!separator("]")) {
        break;
      }
    }
    lexer.next();
    return limits.container(open, objects(items), items);
  }

  private static List<Object> objects(List<Value> items) {
    List<Object> out = new ArrayList<>(items.size());
    items.forEach(v -> out.add(v.object()));
    return out;
  }

  /** Consumes a ',' and returns true, or sees the closing bracket and returns false; else fails. */
  final boolean separator(String close) {
    PyToken t = lexer.peek();
    if (t.isOp(",")) {
      lexer.next();
      return true;
    }
    if (t.isOp(close)) {
      return false;
    }
    throw afterValue(t, "',' or '" + close + "'");
  }

  private Value parenthesized() {
    PyToken open = lexer.next();
    limits.open(open);
    List<Value> items = new ArrayList<>();
    if (lexer.peek().isOp(")")) {
      lexer.next();
      return limits.container(open, PyTuple.of(List.of()), items);
    }
    Value first = expression();
    if (lexer.peek().isOp(")")) {
      // Parentheses around one value group it; only a comma makes a tuple.
      lexer.next();
      limits.close();
      return first;
    }
    items.add(first);
    while (separator(")")) {
      if (lexer.peek().isOp(")")) {
        break;
      }
      items.add(expression());
    }
    lexer.next();
    return limits.container(open, PyTuple.of(objects(items)), items);
  }

  /** {@code x = 1, 2}: a tuple without parentheses, which Python allows on the right of '='. */
  final Value bareTuple(Value first) {
    PyToken start = lexer.peek();
    limits.open(start);
    List<Value> items = new ArrayList<>();
    items.add(first);
    while (lexer.peek().isOp(",")) {
      lexer.next();
      PyToken t = lexer.peek();
      if (t.kind == Kind.NEWLINE || t.kind == Kind.EOF || t.isOp(";")) {
        break;
      }
      items.add(expression());
    }
    return limits.container(start, PyTuple.of(objects(items)), items);
  }

  private Value braces() {
    PyToken open = lexer.next();
    limits.open(open);
    Map<String, Object> out = new LinkedHashMap<>();
    List<Value> items = new ArrayList<>();
    boolean first = true;
    while (!lexer.peek().isOp("}")) {
      PyToken keyTok = lexer.peek();
      if (keyTok.isOp("**")) {
        if (!expressions) {
          throw lexer.error(keyTok, allowed + "got '**' unpacking");
        }
        lexer.next();
        // {**m, 'k': v}: a later key overwrites the value and keeps the first position, as in Python.
        items.add(spread(keyTok, out, false));
      } else {
        Value key = expression();
        PyToken colon = lexer.peek();
        if (!colon.isOp(":")) {
          if (first && (colon.isOp(",") || colon.isOp("}"))) {
            throw lexer.error(open, "set literals are not supported (a config holds dicts, lists and tuples)");
          }
          throw afterValue(colon, "':'");
        }
        if (!(key.object() instanceof String k)) {
          throw lexer.error(keyTok, "dict keys must be strings; got " + Config.describe(key.object()));
        }
        lexer.next();
        Value v = expression();
        out.put(k, v.object());
        items.add(v);
      }
      first = false;
      if (!separator("}")) {
        break;
      }
    }
    lexer.next();
    return limits.container(open, out, items);
  }

  private Value dictCall(PyToken name) {
    PyToken open = lexer.next();
    limits.open(open);
    Map<String, Object> out = new LinkedHashMap<>();
    List<Value> items = new ArrayList<>();
    while (!lexer.peek().isOp(")")) {
      PyToken t = lexer.peek();
      if (t.isOp("**") && expressions) {
        lexer.next();
        items.add(spread(t, out, true));
      } else {
        items.add(keywordArgument(t, out));
      }
      if (!separator(")")) {
        break;
      }
    }
    lexer.next();
    return limits.container(name, out, items);
  }

  /** {@code key=value} inside {@code dict(...)}, starting at {@code t}; puts it into {@code out}. */
  private Value keywordArgument(PyToken t, Map<String, Object> out) {
    if (t.isOp("*") || t.isOp("**")) {
      throw lexer.error(t, allowed + "got '" + t.text + "' unpacking in dict(...)");
    }
    if (t.kind != Kind.NAME || !lexer.peek(1).isOp("=")) {
      throw lexer.error(t, "dict(...) takes keyword arguments only (key=value); got " + t.describe());
    }
    if (PyRefusals.KEYWORDS.contains(t.text)) {
      throw lexer.error(t, "'" + t.text + "' is a Python keyword and cannot be a keyword argument;"
          + " write {'" + t.text + "': ...} instead");
    }
    if (out.containsKey(t.text)) {
      throw lexer.error(t, "keyword argument repeated in dict(...): '" + t.text + "'");
    }
    lexer.next();
    lexer.next();
    Value v = expression();
    out.put(t.text, v.object());
    return v;
  }

  /** {@code **m} inside {@code dict(...)} ({@code keywordsOnce}: a repeated key is an error) or {@code {...}}. */
  private Value spread(PyToken star, Map<String, Object> out, boolean keywordsOnce) {
    Value m = expression();
    if (!(m.object() instanceof Map<?, ?> map)) {
      throw lexer.error(star, "'**' needs a dict (a mapping); got " + PyOperators.typeName(m.object()));
    }
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String k = (String) e.getKey();
      if (keywordsOnce && out.containsKey(k)) {
        throw lexer.error(star, "dict() got multiple values for keyword argument '" + k + "'");
      }
      out.put(k, e.getValue());
    }
    return new Value(map, Math.max(0, m.depth() - 1), Math.max(0, m.size() - 1));
  }
}
