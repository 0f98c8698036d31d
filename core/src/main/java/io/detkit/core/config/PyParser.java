package io.detkit.core.config;

import io.detkit.core.config.PyLexer.Kind;
import io.detkit.core.config.PyLexer.Token;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recursive-descent parser for the literal subset of Python in which MMDetection configs are
 * written. It evaluates nothing: it accepts top-level {@code name = <literal>} assignments, the
 * literals themselves ({@code dict(k=v)}, {@code {'k': v}}, lists, tuples, strings, numbers,
 * {@code True}/{@code False}/{@code None}) and bare names that refer to an earlier top-level
 * assignment. Every other construct is rejected with its line and column and a reason that names
 * it.
 *
 * <p>Values come out as {@link LinkedHashMap} (dict), {@link ArrayList} (list), {@link PyTuple},
 * {@link String}, {@link Long}, {@link Double}, {@link Boolean} and {@code null}, ready for
 * {@link Config#of(Map)}.
 */
final class PyParser {
  /** The start of every message about a construct that would need evaluation. */
  static final String NOT_ALLOWED = "only literals and dict(...) are allowed; ";

  private static final Set<String> KEYWORDS = Set.of(
      "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
      "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
      "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
      "yield");

  private static final Set<String> OPERATORS = Set.of(
      "+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "~", "<", ">", "<=", ">=",
      "==", "!=", "!", ":=", "->", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "<<=", ">>=",
      "&=", "|=", "^=");

  private static final Set<String> WORD_OPERATORS = Set.of("and", "or", "not", "in", "is");

  /** A parsed value with the facts the limits need: container nesting and expanded size. */
  private record Value(Object object, int depth, long size) {}

  private final PyLexer lexer;
  private final Map<String, Value> variables = new LinkedHashMap<>();
  private final ArrayDeque<Token> opens = new ArrayDeque<>();
  private long valueCount;

  private PyParser(String source, String sourceName) {
    this.lexer = new PyLexer(source, sourceName);
  }

  /** Whether {@code name} is a reserved word of Python 3. */
  static boolean isKeyword(String name) {
    return KEYWORDS.contains(name);
  }

  /** Parses a config module: the top-level names in first-assignment order, later values winning. */
  static Map<String, Object> parseModule(String source, String sourceName) {
    return new PyParser(source, sourceName).module();
  }

  /** Parses one literal (any type, no name references), surrounded by optional blank lines. */
  static Object parseLiteral(String source, String sourceName) {
    PyParser p = new PyParser(source, sourceName);
    Value v = p.value();
    while (p.lexer.peek().kind == Kind.NEWLINE) {
      p.lexer.next();
    }
    Token t = p.lexer.peek();
    if (t.kind != Kind.EOF) {
      throw p.afterValue(t, "the end of the input after one literal");
    }
    return v.object();
  }

  private Map<String, Object> module() {
    Map<String, Object> out = new LinkedHashMap<>();
    boolean lineStart = true;
    while (true) {
      Token t = lexer.peek();
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
      Token end = lexer.peek();
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

  private static final String STATEMENT_RULE = "only top-level assignments 'name = <literal>' are allowed; ";

  private void statement(Map<String, Object> out) {
    Token t = lexer.peek();
    if (t.kind == Kind.NAME) {
      Token after = lexer.peek(1);
      if (KEYWORDS.contains(t.text) && !isValueKeyword(t.text)) {
        throw lexer.error(t, STATEMENT_RULE + "got " + (t.text.equals("import") || t.text.equals("from")
            ? "an import statement"
            : ("aeiou".indexOf(t.text.charAt(0)) >= 0 ? "an '" : "a '") + t.text + "' statement"));
      }
      if (after.isOp("=")) {
        if (KEYWORDS.contains(t.text)) {
          throw lexer.error(t, "cannot assign to the keyword '" + t.text + "'");
        }
        if (t.text.equals("dict")) {
          throw lexer.error(t, "cannot assign to 'dict': dict(...) literals rely on the built-in name");
        }
        lexer.next();
        lexer.next();
        Value v = value();
        if (lexer.peek().isOp(",")) {
          v = bareTuple(v);
        }
        variables.put(t.text, v);
        out.put(t.text, v.object());
        return;
      }
      if (after.kind == Kind.OP && after.text.endsWith("=") && OPERATORS.contains(after.text)
          && !after.text.equals("==") && !after.text.equals("!=") && !after.text.equals("<=")
          && !after.text.equals(">=")) {
        throw lexer.error(after, NOT_ALLOWED + "got the augmented assignment '" + after.text + "'");
      }
      if (after.isOp(":")) {
        throw lexer.error(after, "annotated assignments (name: type = value) are not supported");
      }
      if (after.isOp(",")) {
        throw lexer.error(after,
            "unpacking assignments (a, b = ...) are not supported; assign one name per statement");
      }
    }
    Token start = t;
    Value v = value();
    if (lexer.peek().isOp("=")) {
      throw lexer.error(start, "only a plain name can be assigned at the top level");
    }
    if (v.object() instanceof String && start.kind == Kind.STRING) {
      return; // a docstring, a no-op in Python
    }
    throw lexer.error(start, STATEMENT_RULE + "got a bare expression");
  }

  private static boolean isValueKeyword(String name) {
    return name.equals("True") || name.equals("False") || name.equals("None") || name.equals("lambda")
        || name.equals("not") || name.equals("await") || name.equals("yield");
  }

  private Value value() {
    Token t = lexer.peek();
    switch (t.kind) {
      case NUMBER -> {
        lexer.next();
        return scalar(t, number(t, false));
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
          case "*", "**" -> throw lexer.error(t, NOT_ALLOWED + "got '" + t.text + "' unpacking");
          case "..." -> throw lexer.error(t, NOT_ALLOWED + "got '...' (Ellipsis)");
          default -> throw OPERATORS.contains(t.text)
              ? lexer.error(t, NOT_ALLOWED + "got the operator '" + t.text + "'")
              : lexer.error(t, "expected a value, got " + t.describe());
        };
      }
      case NEWLINE -> throw lexer.error(t, "expected a value, got the end of the line");
      default -> throw opens.isEmpty()
          ? lexer.error(t, "expected a value, got the end of the input")
          : unclosed(t);
    }
  }

  private Value scalar(Token at, Object v) {
    count(at, 1);
    return new Value(v, 0, 1);
  }

  private void count(Token at, long n) {
    valueCount += n;
    if (valueCount > ConfigLoader.MAX_VALUES) {
      throw lexer.error(at, "more than " + ConfigLoader.MAX_VALUES
          + " values in one config, counting each reference to a variable in full (ConfigLoader.MAX_VALUES)");
    }
  }

  private Object number(Token t, boolean negate) {
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

  private Value signedNumber() {
    Token sign = lexer.next();
    Token t = lexer.peek();
    if (t.kind == Kind.NAME && t.text.equals("inf") && !variables.containsKey("inf")) {
      lexer.next();
      return scalar(sign, sign.text.equals("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    if (t.kind != Kind.NUMBER) {
      throw lexer.error(sign, NOT_ALLOWED + "got the unary operator '" + sign.text
          + "' applied to " + t.describe() + " (a sign may only precede a number)");
    }
    lexer.next();
    return scalar(sign, number(t, sign.text.equals("-")));
  }

  private Value strings() {
    Token first = lexer.next();
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
    return scalar(first, s);
  }

  private Value nameValue() {
    Token t = lexer.next();
    switch (t.text) {
      case "True" -> {
        return scalar(t, Boolean.TRUE);
      }
      case "False" -> {
        return scalar(t, Boolean.FALSE);
      }
      case "None" -> {
        return scalar(t, null);
      }
      case "lambda" -> throw lexer.error(t, NOT_ALLOWED + "got a lambda");
      case "not" -> throw lexer.error(t, NOT_ALLOWED + "got the operator 'not'");
      case "await", "yield" -> throw lexer.error(t, NOT_ALLOWED + "got '" + t.text + "'");
      default -> { }
    }
    if (KEYWORDS.contains(t.text)) {
      throw lexer.error(t, "expected a value, got the keyword '" + t.text + "'");
    }
    Token after = lexer.peek();
    if (after.isOp("(")) {
      if (t.text.equals("dict")) {
        return dictCall(t);
      }
      throw lexer.error(t, NOT_ALLOWED + "got a call to '" + t.text + "'");
    }
    if (after.isOp(".")) {
      StringBuilder dotted = new StringBuilder(t.text);
      int k = 0;
      while (lexer.peek(k).isOp(".") && lexer.peek(k + 1).kind == Kind.NAME && k < 16) {
        dotted.append('.').append(lexer.peek(k + 1).text);
        k += 2;
      }
      throw lexer.error(t, NOT_ALLOWED + "got attribute access '" + dotted + "'");
    }
    if (after.isOp("[")) {
      throw lexer.error(t, NOT_ALLOWED + "got a subscript '" + t.text + "[...]'");
    }
    Value v = variables.get(t.text);
    if (v == null && (after.kind == Kind.OP && OPERATORS.contains(after.text)
        || after.kind == Kind.NAME && (WORD_OPERATORS.contains(after.text) || after.text.equals("for")
            || after.text.equals("if")))) {
      // `[i for i in x]` or `y + 1`: the construct is the problem, not the unknown name.
      throw afterValue(after, "a value");
    }
    if (v == null && (t.text.equals("inf") || t.text.equals("nan"))) {  // -inf: see signedNumber
      // Python's repr writes float('inf') and float('nan') as bare names; configs dumped with repr
      // (MMDetection's config_repr among them) contain them, so read them as the floats they name.
      return scalar(t, t.text.equals("inf") ? Double.POSITIVE_INFINITY : Double.NaN);
    }
    if (v == null) {
      throw lexer.error(t, "unknown name '" + t.text + "': a bare name must refer to an earlier top-level"
          + " assignment" + (variables.isEmpty()
              ? " (none so far)"
              : " (defined so far: " + String.join(", ", variables.keySet()) + ")"));
    }
    count(t, v.size());
    return v;
  }

  private void open(Token at) {
    if (opens.size() >= ConfigLoader.MAX_DEPTH) {
      throw depthError(at);
    }
    opens.push(at);
  }

  private void close() {
    opens.pop();
  }

  private ConfigException unclosed(Token eof) {
    Token open = opens.peek();
    return lexer.error(eof, "unexpected end of input: '" + open.text + "' opened at line " + open.line
        + ", column " + open.column + " is never closed");
  }

  private ConfigException depthError(Token at) {
    return lexer.error(at, "nesting deeper than " + ConfigLoader.MAX_DEPTH
        + " levels of dicts, lists and tuples (ConfigLoader.MAX_DEPTH)");
  }

  /** A container value whose children are {@code items}; checks the nesting that references add. */
  private Value container(Token at, Object object, List<Value> items) {
    int depth = 0;
    long size = 1;
    for (Value v : items) {
      depth = Math.max(depth, v.depth());
      size += v.size();
    }
    if (depth + 1 > ConfigLoader.MAX_DEPTH) {
      throw depthError(at);
    }
    count(at, 1);
    close();
    return new Value(object, depth + 1, size);
  }

  private Value list() {
    Token open = lexer.next();
    open(open);
    List<Value> items = new ArrayList<>();
    while (!lexer.peek().isOp("]")) {
      items.add(value());
      if (!separator("]")) {
        break;
      }
    }
    lexer.next();
    List<Object> out = new ArrayList<>(items.size());
    items.forEach(v -> out.add(v.object()));
    return container(open, out, items);
  }

  /** Consumes a ',' and returns true, or sees the closing bracket and returns false; else fails. */
  private boolean separator(String close) {
    Token t = lexer.peek();
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
    Token open = lexer.next();
    open(open);
    List<Value> items = new ArrayList<>();
    if (lexer.peek().isOp(")")) {
      lexer.next();
      return container(open, PyTuple.of(List.of()), items);
    }
    Value first = value();
    if (lexer.peek().isOp(")")) {
      // Parentheses around one value group it; only a comma makes a tuple.
      lexer.next();
      close();
      return first;
    }
    items.add(first);
    while (separator(")")) {
      if (lexer.peek().isOp(")")) {
        break;
      }
      items.add(value());
    }
    lexer.next();
    List<Object> out = new ArrayList<>(items.size());
    items.forEach(v -> out.add(v.object()));
    return container(open, PyTuple.of(out), items);
  }

  /** {@code x = 1, 2}: a tuple without parentheses, which Python allows on the right of '='. */
  private Value bareTuple(Value first) {
    Token start = lexer.peek();
    open(start);
    List<Value> items = new ArrayList<>();
    items.add(first);
    while (lexer.peek().isOp(",")) {
      lexer.next();
      Token t = lexer.peek();
      if (t.kind == Kind.NEWLINE || t.kind == Kind.EOF || t.isOp(";")) {
        break;
      }
      items.add(value());
    }
    List<Object> out = new ArrayList<>(items.size());
    items.forEach(v -> out.add(v.object()));
    return container(start, PyTuple.of(out), items);
  }

  private Value braces() {
    Token open = lexer.next();
    open(open);
    Map<String, Object> out = new LinkedHashMap<>();
    List<Value> items = new ArrayList<>();
    boolean first = true;
    while (!lexer.peek().isOp("}")) {
      Token keyTok = lexer.peek();
      if (keyTok.isOp("**")) {
        throw lexer.error(keyTok, NOT_ALLOWED + "got '**' unpacking");
      }
      Value key = value();
      Token colon = lexer.peek();
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
      Value v = value();
      out.put(k, v.object());
      items.add(v);
      first = false;
      if (!separator("}")) {
        break;
      }
    }
    lexer.next();
    return container(open, out, items);
  }

  private Value dictCall(Token name) {
    Token open = lexer.next();
    open(open);
    Map<String, Object> out = new LinkedHashMap<>();
    List<Value> items = new ArrayList<>();
    while (!lexer.peek().isOp(")")) {
      Token t = lexer.peek();
      if (t.isOp("*") || t.isOp("**")) {
        throw lexer.error(t, NOT_ALLOWED + "got '" + t.text + "' unpacking in dict(...)");
      }
      if (t.kind != Kind.NAME || !lexer.peek(1).isOp("=")) {
        throw lexer.error(t, "dict(...) takes keyword arguments only (key=value); got " + t.describe());
      }
      if (KEYWORDS.contains(t.text)) {
        throw lexer.error(t, "'" + t.text + "' is a Python keyword and cannot be a keyword argument;"
            + " write {'" + t.text + "': ...} instead");
      }
      if (out.containsKey(t.text)) {
        throw lexer.error(t, "keyword argument repeated in dict(...): '" + t.text + "'");
      }
      lexer.next();
      lexer.next();
      Value v = value();
      out.put(t.text, v.object());
      items.add(v);
      if (!separator(")")) {
        break;
      }
    }
    lexer.next();
    return container(name, out, items);
  }

  /** The error for a token that cannot follow a complete value, naming the construct it starts. */
  private ConfigException afterValue(Token t, String expected) {
    if (t.kind == Kind.OP) {
      switch (t.text) {
        case "(" -> {
          return lexer.error(t, NOT_ALLOWED + "got a call");
        }
        case "." -> {
          Token attr = lexer.peek(1);
          return lexer.error(t, NOT_ALLOWED + "got attribute access"
              + (attr.kind == Kind.NAME ? " '." + attr.text + "'" : ""));
        }
        case "[" -> {
          return lexer.error(t, NOT_ALLOWED + "got a subscript '[...]'");
        }
        default -> {
          if (OPERATORS.contains(t.text)) {
            return lexer.error(t, NOT_ALLOWED + "got the operator '" + t.text + "'");
          }
        }
      }
    }
    if (t.kind == Kind.NAME) {
      if (WORD_OPERATORS.contains(t.text)) {
        return lexer.error(t, NOT_ALLOWED + "got the operator '" + t.text + "'");
      }
      if (t.text.equals("if")) {
        return lexer.error(t, NOT_ALLOWED + "got a conditional expression (... if ... else ...)");
      }
      if (t.text.equals("for") || t.text.equals("async")) {
        return lexer.error(t, NOT_ALLOWED + "got a comprehension");
      }
    }
    if (t.kind == Kind.EOF && !opens.isEmpty()) {
      return unclosed(t);
    }
    return lexer.error(t, "expected " + expected + ", got " + t.describe());
  }
}
