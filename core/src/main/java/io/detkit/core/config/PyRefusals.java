package io.detkit.core.config;

import io.detkit.core.config.PyToken.Kind;
import java.util.Set;

/**
 * The Python constructs a config may not use and the messages that name them. Each message starts
 * with what is allowed where the construct was found: {@link #IN_MODULE} in a config file,
 * {@link #IN_LITERAL} in a single literal (a command-line override).
 */
final class PyRefusals {
  /** The start of a refusal in a config file, which may also use names and arithmetic. */
  static final String IN_MODULE =
      "only literals, dict(...), earlier names, the operators + - * / // % and [key] subscripts are allowed; ";
  /** The start of a refusal in a single literal. */
  static final String IN_LITERAL = "only literals and dict(...) are allowed; ";

  static final Set<String> KEYWORDS = Set.of(
      "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
      "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in",
      "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with",
      "yield");

  /** Every Python operator token, so that a refused one is named rather than reported as a stray character. */
  static final Set<String> OPERATORS = Set.of(
      "+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "~", "<", ">", "<=", ">=",
      "==", "!=", "!", ":=", "->", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "<<=", ">>=",
      "&=", "|=", "^=");

  static final Set<String> WORD_OPERATORS = Set.of("and", "or", "not", "in", "is");

  /** The binary operators a config file may use, with Python's precedence: {@code * / // %} above {@code + -}. */
  static final Set<String> BINARY = Set.of("+", "-", "*", "/", "//", "%");

  private PyRefusals() {}

  /** Whether {@code op} is an augmented assignment such as {@code +=}. */
  static boolean isAugmentedAssignment(PyToken op) {
    return op.kind == Kind.OP && op.text.endsWith("=") && OPERATORS.contains(op.text)
        && !op.text.equals("==") && !op.text.equals("!=") && !op.text.equals("<=") && !op.text.equals(">=");
  }

  /**
   * The error for a token that cannot follow a complete value, naming the construct it starts.
   *
   * @param allowed {@link #IN_MODULE} or {@link #IN_LITERAL}
   * @param expected what may follow, for a token that starts no known construct
   */
  static ConfigException afterValue(PyLexer lexer, PyLimits limits, String allowed, PyToken t, String expected) {
    if (t.kind == Kind.OP) {
      switch (t.text) {
        case "(" -> {
          return lexer.error(t, allowed + "got a call");
        }
        case "." -> {
          PyToken attr = lexer.peek(1);
          return lexer.error(t, allowed + "got attribute access"
              + (attr.kind == Kind.NAME ? " '." + attr.text + "'" : ""));
        }
        case "[" -> {
          return lexer.error(t, allowed + "got a subscript '[...]'");
        }
        default -> {
          if (OPERATORS.contains(t.text)) {
            return lexer.error(t, allowed + "got the operator '" + t.text + "'");
          }
        }
      }
    }
    if (t.kind == Kind.NAME) {
      if (WORD_OPERATORS.contains(t.text)) {
        return lexer.error(t, allowed + "got the operator '" + t.text + "'");
      }
      if (t.text.equals("if")) {
        return lexer.error(t, allowed + "got a conditional expression (... if ... else ...)");
      }
      if (t.text.equals("for") || t.text.equals("async")) {
        return lexer.error(t, allowed + "got a comprehension");
      }
    }
    ConfigException unclosed = limits.unclosedOrNull(t);
    return unclosed != null ? unclosed : lexer.error(t, "expected " + expected + ", got " + t.describe());
  }
}
