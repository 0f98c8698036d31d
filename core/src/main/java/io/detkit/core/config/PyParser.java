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
 * A recursive-descent parser for the subset of Python in which MMDetection configs are written.
 * It runs nothing: it accepts top-level {@code name = <value>} assignments, literals
 * ({@code dict(k=v)}, {@code {'k': v}}, lists, tuples, strings, numbers,
 * {@code True}/{@code False}/{@code None}), bare names that refer to an earlier top-level
 * assignment or (in a file with {@code _base_}) to a base's name, and, in a module, the
 * expressions of {@link PyOperators} with Python's precedence ({@code * / // %} over
 * {@code + -}, unary signs over both, subscripts over all), {@code **mapping} in dicts and
 * {@code {{_base_.x}}} references (kept as {@link BaseRef}s). A single literal
 * ({@link #parseLiteral}) reads literals only. Every other construct is rejected with its line and
 * column and a reason that names it.
 *
 * <p>Values come out as {@link LinkedHashMap} (dict), {@link ArrayList} (list), {@link PyTuple},
 * {@link String}, {@link Long}, {@link Double}, {@link Boolean}, {@code null} and
 * {@link BaseRef}, ready for {@link Config#of(Map)} once the references are resolved.
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

  /**
   * Called when a config file assigns {@code _base_}: loads the bases the value names and returns
   * their merged top-level names, which later statements may then use as bare names.
   */
  interface BaseHook {
    Map<String, Object> load(Object baseValue, int line, int column);
  }

  private final PyLexer lexer;
  /** Whether operators, subscripts, '**' and base references are read (a file) or refused (a literal). */
  private final boolean expressions;
  private final BaseHook baseHook;
  private final Map<String, Value> variables = new LinkedHashMap<>();
  private Map<String, Object> inherited = Map.of();
  private boolean baseAssigned;
  private final ArrayDeque<Token> opens = new ArrayDeque<>();
  private long valueCount;
  /** Unary signs being parsed, bounded with the brackets so that '- - - ...' cannot overflow the stack. */
  private int signs;

  private PyParser(String source, String sourceName, boolean expressions, BaseHook baseHook) {
    this.lexer = new PyLexer(source, sourceName);
    this.expressions = expressions;
    this.baseHook = baseHook;
  }

  /** Whether {@code name} is a reserved word of Python 3. */
  static boolean isKeyword(String name) {
    return KEYWORDS.contains(name);
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
    Value v = expression();
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
      case BASEREF -> {
        lexer.next();
        if (!expressions || baseHook == null) {
          throw lexer.error(t, t.text + " refers to a base file's value; it is only read in a config file"
              + " loaded with ConfigLoader.fromFile");
        }
        return scalar(t, new BaseRef((String) t.value, lexer.sourceName(), t.line, t.column));
      }
      case NEWLINE -> throw lexer.error(t, "expected a value, got the end of the line");
      default -> throw opens.isEmpty()
          ? lexer.error(t, "expected a value, got the end of the input")
          : unclosed(t);
    }
  }

  /** The binary operators a config file may use, with Python's precedence: {@code * / // %} above {@code + -}. */
  private static final Set<String> BINARY = Set.of("+", "-", "*", "/", "//", "%");

  /** One value: in a file an arithmetic expression over literals and names, in a literal just a literal. */
  private Value expression() {
    return expressions ? additive() : value();
  }

  private Value additive() {
    Value left = multiplicative();
    while (lexer.peek().isOp("+") || lexer.peek().isOp("-")) {
      Token op = lexer.next();
      left = binary(op, left, multiplicative());
    }
    return left;
  }

  private Value multiplicative() {
    Value left = unary();
    while (lexer.peek().isOp("*") || lexer.peek().isOp("/") || lexer.peek().isOp("//")
        || lexer.peek().isOp("%")) {
      Token op = lexer.next();
      left = binary(op, left, unary());
    }
    return left;
  }

  private Value unary() {
    Token sign = lexer.peek();
    if (!sign.isOp("-") && !sign.isOp("+")) {
      return postfix();
    }
    lexer.next();
    Token t = lexer.peek();
    if (t.kind == Kind.NUMBER) {
      // Folded so that -9223372036854775808 is read although 9223372036854775808 alone does not fit;
      // '**', the only operator binding tighter than a sign, is refused anyway.
      lexer.next();
      return scalar(sign, number(t, sign.text.equals("-")));
    }
    if (opens.size() + signs >= ConfigLoader.MAX_DEPTH) {
      throw depthError(sign); // a run of signs recurses once per sign
    }
    signs++;
    Value v = unary();
    signs--;
    Object r = PyOperators.unary(sign.text, v.object(), m -> lexer.error(sign, m));
    return new Value(r, v.depth(), v.size());
  }

  private Value postfix() {
    Value v = value();
    while (lexer.peek().isOp("[")) {
      Token open = lexer.next();
      Object key = subscriptKey(open);
      Token close = lexer.peek();
      if (close.isOp(":")) {
        throw lexer.error(close, NOT_ALLOWED + "got a slice; only a literal key or index can be subscripted");
      }
      if (!close.isOp("]")) {
        throw afterValue(close, "']'");
      }
      lexer.next();
      Object item = PyOperators.subscript(v.object(), key, m -> lexer.error(open, m));
      v = measured(open, item);
    }
    return v;
  }

  /** The literal inside {@code [...]}: a string, an int or a negative int. */
  private Object subscriptKey(Token open) {
    Token t = lexer.peek();
    if (t.kind == Kind.STRING) {
      return strings().object();
    }
    boolean negative = t.isOp("-");
    Token n = negative ? lexer.peek(1) : t;
    if (n.kind == Kind.NUMBER && n.value instanceof BigInteger) {
      if (negative) {
        lexer.next();
      }
      lexer.next();
      return number(n, negative);
    }
    throw lexer.error(t, "a subscript takes a literal key or index ('name' or 3); got " + t.describe());
  }

  private Value binary(Token op, Value left, Value right) {
    Object r = PyOperators.binary(op.text, left.object(), right.object(), maxItems(left, right),
        m -> lexer.error(op, m));
    if (r instanceof List<?> l && l.size() != 0) {
      return measured(op, r);
    }
    return new Value(r, Math.max(left.depth(), right.depth()), 1);
  }

  /** How many items a list result may hold, or characters a string, before it breaks a limit. */
  private static long maxItems(Value left, Value right) {
    return left.object() instanceof String || right.object() instanceof String
        ? ConfigLoader.MAX_STRING_LENGTH : ConfigLoader.MAX_VALUES;
  }

  /** A value that did not come from the source text (an item, a base's value), counted and checked. */
  private Value measured(Token at, Object v) {
    long[] size = {0};
    int depth = ConfigMerge.depthAndCount(v, size, ConfigLoader.MAX_DEPTH + 1, ConfigLoader.MAX_VALUES + 1L);
    count(at, size[0]);
    if (depth > ConfigLoader.MAX_DEPTH) {
      throw depthError(at);
    }
    return new Value(v, depth, size[0]);
  }

  /** {@code **m} inside {@code dict(...)} ({@code keywordsOnce}: a repeated key is an error) or {@code {...}}. */
  private Value spread(Token star, Map<String, Object> out, boolean keywordsOnce) {
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
    if (after.isOp("[") && !expressions) {
      throw lexer.error(t, NOT_ALLOWED + "got a subscript '" + t.text + "[...]'");
    }
    Value v = variables.get(t.text);
    if (v == null && inherited.containsKey(t.text)) {
      return measured(t, inherited.get(t.text)); // counted by measured
    }
    if (v == null && (after.kind == Kind.OP && OPERATORS.contains(after.text)
        && !(expressions && BINARY.contains(after.text))
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
          + " assignment" + (inherited.isEmpty() ? "" : " or a name of the bases") + (variables.isEmpty()
              ? " (none so far)"
              : " (defined so far: " + PyLexer.abbreviate(String.join(", ", variables.keySet()), 400) + ")"));
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
      items.add(expression());
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
    Value first = expression();
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
      items.add(expression());
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
      items.add(expression());
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
        if (!expressions) {
          throw lexer.error(keyTok, NOT_ALLOWED + "got '**' unpacking");
        }
        lexer.next();
        // {**m, 'k': v}: a later key overwrites the value and keeps the first position, as in Python.
        items.add(spread(keyTok, out, false));
        first = false;
        if (!separator("}")) {
          break;
        }
        continue;
      }
      Value key = expression();
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
      Value v = expression();
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
      if (t.isOp("**") && expressions) {
        lexer.next();
        items.add(spread(t, out, true));
        if (!separator(")")) {
          break;
        }
        continue;
      }
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
      Value v = expression();
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
