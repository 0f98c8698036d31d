package io.detkit.core.config;

/** A token of {@link PyLexer}; {@code value} is a decoded String, a BigInteger or a Double for literals. */
final class PyToken {
  enum Kind { NAME, NUMBER, STRING, OP, NEWLINE, EOF, BASEREF }

  final Kind kind;
  final String text;
  final Object value;
  /** 1-based line and column (UTF-16 characters, a tab counting as one) of the first character. */
  final int line;
  final int column;

  PyToken(Kind kind, String text, Object value, int line, int column) {
    this.kind = kind;
    this.text = text;
    this.value = value;
    this.line = line;
    this.column = column;
  }

  boolean is(Kind k, String t) {
    return kind == k && text.equals(t);
  }

  boolean isOp(String t) {
    return is(Kind.OP, t);
  }

  boolean isName(String t) {
    return is(Kind.NAME, t);
  }

  /** How the token reads in an error message. */
  String describe() {
    return switch (kind) {
      case NAME -> "name '" + text + "'";
      case NUMBER -> "number " + text;
      case STRING -> "string " + PyLexer.abbreviate(text, 40);
      case OP -> "'" + text + "'";
      case NEWLINE -> "end of line";
      case EOF -> "end of input";
      case BASEREF -> "the reference " + text;
    };
  }
}
