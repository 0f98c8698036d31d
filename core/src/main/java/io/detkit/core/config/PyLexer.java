package io.detkit.core.config;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.Set;

/**
 * Splits Python source into the tokens that the literal subset of MMDetection config files needs.
 *
 * <p>It recognises the whole token vocabulary of Python (operators included) so that the parser can
 * name a forbidden construct precisely instead of reporting an unexpected character. Newlines
 * inside brackets and after a backslash continuation are dropped, as in Python; a run of blank or
 * comment-only lines yields a single {@link Kind#NEWLINE}. Lines and columns are 1-based; a column
 * counts UTF-16 characters, a tab counting as one.
 *
 * <p>Every error is a {@link ConfigException#syntax} naming the source, line and column.
 */
final class PyLexer {
  enum Kind { NAME, NUMBER, STRING, OP, NEWLINE, EOF, BASEREF }

  /**
   * mmcv's pattern for a reference to a base file's value, {@code {{ _base_.a.b }}} (without
   * newlines inside, so that line numbers stay right).
   */
  static final java.util.regex.Pattern BASE_REF = java.util.regex.Pattern.compile(
      "\\{\\{[^\\S\\n]*_base_\\.([\\w.]+)[^\\S\\n]*}}", java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);

  /** A token; {@code value} is a decoded String, a BigInteger or a Double for literals. */
  static final class Token {
    final Kind kind;
    final String text;
    final Object value;
    final int line;
    final int column;

    Token(Kind kind, String text, Object value, int line, int column) {
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
        case STRING -> "string " + abbreviate(text, 40);
        case OP -> "'" + text + "'";
        case NEWLINE -> "end of line";
        case EOF -> "end of input";
        case BASEREF -> "the reference " + text;
      };
    }
  }

  /** Longest operators first, so that maximal munch is a simple scan. */
  private static final String[] OPERATORS = {
      "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
      ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=",
      "!", "%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]",
      "^", "{", "|", "}", "~"};

  private static final Set<String> STRING_PREFIXES = Set.of(
      "r", "u", "f", "b", "br", "rb", "fr", "rf");

  private final String src;
  private final String sourceName;
  private int pos;
  private int line = 1;
  private int lineStart;
  private int bracketLevel;
  private boolean lastWasNewline = true;
  private final ArrayDeque<Token> lookahead = new ArrayDeque<>();

  PyLexer(String source, String sourceName) {
    this.src = normalizeNewlines(source);
    this.sourceName = sourceName;
  }

  /** Python reads source with universal newlines; a leading byte-order mark is not content. */
  private static String normalizeNewlines(String s) {
    if (s.startsWith("\uFEFF")) {
      s = s.substring(1);
    }
    if (s.indexOf('\r') < 0) {
      return s;
    }
    return s.replace("\r\n", "\n").replace('\r', '\n');
  }

  String sourceName() {
    return sourceName;
  }

  ConfigException error(int atLine, int atColumn, String message) {
    return ConfigException.syntax(sourceName, atLine, atColumn, message);
  }

  ConfigException error(Token at, String message) {
    return error(at.line, at.column, message);
  }

  /** The token {@code k} places ahead (0 = next) without consuming it. */
  Token peek(int k) {
    while (lookahead.size() <= k) {
      lookahead.addLast(scan());
    }
    int i = 0;
    for (Token t : lookahead) {
      if (i++ == k) {
        return t;
      }
    }
    throw new AssertionError("unreachable");
  }

  Token peek() {
    return peek(0);
  }

  Token next() {
    peek(0);
    return lookahead.removeFirst();
  }

  private int column() {
    return pos - lineStart + 1;
  }

  private void newlineConsumed() {
    line++;
    lineStart = pos;
  }

  private Token scan() {
    while (true) {
      if (pos >= src.length()) {
        return new Token(Kind.EOF, "", null, line, column());
      }
      char c = src.charAt(pos);
      if (c == ' ' || c == '\t' || c == '\f') {
        pos++;
        continue;
      }
      if (c == '#') {
        while (pos < src.length() && src.charAt(pos) != '\n') {
          pos++;
        }
        continue;
      }
      if (c == '\\') {
        if (pos + 1 < src.length() && src.charAt(pos + 1) == '\n') {
          pos += 2;
          newlineConsumed();
          continue;
        }
        throw error(line, column(),
            "unexpected character '\\' (a backslash outside a string must end the line)");
      }
      if (c == '\n') {
        int l = line;
        int col = column();
        pos++;
        newlineConsumed();
        if (bracketLevel == 0 && !lastWasNewline) {
          lastWasNewline = true;
          return new Token(Kind.NEWLINE, "\n", null, l, col);
        }
        continue;
      }
      lastWasNewline = false;
      int cp = src.codePointAt(pos);
      if (isIdentifierStart(cp)) {
        return nameOrString();
      }
      if (isDigit(c) || (c == '.' && pos + 1 < src.length() && isDigit(src.charAt(pos + 1)))) {
        return number();
      }
      if (c == '\'' || c == '"') {
        return string(line, column(), "");
      }
      if (c == '{') {
        java.util.regex.Matcher m = BASE_REF.matcher(src).region(pos, src.length());
        if (m.lookingAt()) {
          Token t = new Token(Kind.BASEREF, m.group(), m.group(1), line, column());
          pos = m.end();
          return t;
        }
      }
      return operator();
    }
  }

  private Token operator() {
    int l = line;
    int col = column();
    for (String op : OPERATORS) {
      if (src.startsWith(op, pos)) {
        pos += op.length();
        switch (op) {
          case "(", "[", "{" -> bracketLevel++;
          case ")", "]", "}" -> bracketLevel = Math.max(0, bracketLevel - 1);
          default -> { }
        }
        return new Token(Kind.OP, op, null, l, col);
      }
    }
    int cp = src.codePointAt(pos);
    String shown = cp >= 0x20 && cp != 0x7f && !Character.isISOControl(cp)
        ? new String(Character.toChars(cp))
        : String.format("U+%04X", cp);
    throw error(l, col, "unexpected character '" + shown + "'");
  }

  private Token nameOrString() {
    int l = line;
    int col = column();
    int start = pos;
    while (pos < src.length()) {
      int cp = src.codePointAt(pos);
      if (!isIdentifierPart(cp)) {
        break;
      }
      pos += Character.charCount(cp);
    }
    String name = src.substring(start, pos);
    if (pos < src.length() && (src.charAt(pos) == '\'' || src.charAt(pos) == '"')
        && STRING_PREFIXES.contains(name.toLowerCase())) {
      return string(l, col, name.toLowerCase());
    }
    return new Token(Kind.NAME, name, null, l, col);
  }

  private Token string(int l, int col, String prefix) {
    if (prefix.contains("f")) {
      throw error(l, col, PyParser.NOT_ALLOWED + "got an f-string (formatted strings are code)");
    }
    if (prefix.contains("b")) {
      throw error(l, col, "bytes literals are not supported; use a str");
    }
    boolean raw = prefix.contains("r");
    int tokenStart = pos - prefix.length();
    char quote = src.charAt(pos);
    boolean triple = src.startsWith(String.valueOf(quote).repeat(3), pos);
    pos += triple ? 3 : 1;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= src.length()) {
        throw error(l, col,
            (triple ? "unterminated triple-quoted string literal" : "unterminated string literal")
            + " (it starts here and the input ends before its closing " + quote + ")");
      }
      char c = src.charAt(pos);
      if (c == quote) {
        if (!triple) {
          pos++;
          break;
        }
        if (src.startsWith(String.valueOf(quote).repeat(3), pos)) {
          pos += 3;
          break;
        }
        sb.append(c);
        pos++;
      } else if (c == '\n') {
        if (!triple) {
          throw error(l, col, "unterminated string literal (the line ends before its closing " + quote + ")");
        }
        sb.append(c);
        pos++;
        newlineConsumed();
      } else if (c == '\\') {
        if (raw) {
          // A raw string keeps the backslash; it only stops the next character from ending the string.
          sb.append(c);
          pos++;
          if (pos < src.length()) {
            char d = src.charAt(pos);
            sb.append(d);
            pos++;
            if (d == '\n') {
              newlineConsumed();
            }
          }
        } else {
          escape(sb);
        }
      } else {
        sb.append(c);
        pos++;
      }
      if (sb.length() > ConfigLoader.MAX_STRING_LENGTH) {
        throw error(l, col, "string literal longer than " + ConfigLoader.MAX_STRING_LENGTH
            + " characters (ConfigLoader.MAX_STRING_LENGTH)");
      }
    }
    return new Token(Kind.STRING, src.substring(tokenStart, pos), sb.toString(), l, col);
  }

  private void escape(StringBuilder sb) {
    int l = line;
    int col = column();
    pos++;
    if (pos >= src.length()) {
      return;
    }
    char c = src.charAt(pos);
    pos++;
    switch (c) {
      case '\n' -> newlineConsumed();
      case '\\' -> sb.append('\\');
      case '\'' -> sb.append('\'');
      case '"' -> sb.append('"');
      case 'a' -> sb.append('\u0007');
      case 'b' -> sb.append('\b');
      case 'f' -> sb.append('\f');
      case 'n' -> sb.append('\n');
      case 'r' -> sb.append('\r');
      case 't' -> sb.append('\t');
      case 'v' -> sb.append('\u000b');
      case '0', '1', '2', '3', '4', '5', '6', '7' -> {
        int v = c - '0';
        for (int i = 0; i < 2 && pos < src.length() && src.charAt(pos) >= '0' && src.charAt(pos) <= '7';
            i++) {
          v = v * 8 + (src.charAt(pos++) - '0');
        }
        sb.append((char) v);
      }
      case 'x' -> sb.append((char) hexEscape(2, l, col, "\\xhh"));
      case 'u' -> sb.append((char) hexEscape(4, l, col, "\\uxxxx"));
      case 'U' -> {
        int cp = hexEscape(8, l, col, "\\Uxxxxxxxx");
        if (cp > Character.MAX_CODE_POINT) {
          throw error(l, col,
              "illegal Unicode character in \\U escape: U+" + Integer.toHexString(cp).toUpperCase());
        }
        sb.appendCodePoint(cp);
      }
      case 'N' -> {
        int close = src.indexOf('}', pos);
        int eol = src.indexOf('\n', pos);
        if (pos >= src.length() || src.charAt(pos) != '{' || close < 0 || (eol >= 0 && eol < close)) {
          throw error(l, col, "malformed \\N{name} escape");
        }
        String name = src.substring(pos + 1, close);
        try {
          sb.appendCodePoint(Character.codePointOf(name));
        } catch (IllegalArgumentException e) {
          throw error(l, col, "unknown Unicode character name in \\N{" + name + "}");
        }
        pos = close + 1;
      }
      default -> {
        // Python keeps an unrecognised escape as written (with a warning); so do we.
        sb.append('\\');
        pos--;
      }
    }
  }

  private int hexEscape(int digits, int l, int col, String form) {
    int v = 0;
    for (int i = 0; i < digits; i++) {
      int d = pos < src.length() ? Character.digit(src.charAt(pos), 16) : -1;
      if (d < 0) {
        throw error(l, col, "truncated " + form + " escape: expected " + digits + " hex digits");
      }
      v = v * 16 + d;
      pos++;
    }
    return v;
  }

  private Token number() {
    int l = line;
    int col = column();
    int start = pos;
    Object value;
    char c0 = src.charAt(pos);
    char c1 = pos + 1 < src.length() ? Character.toLowerCase(src.charAt(pos + 1)) : 0;
    if (c0 == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b')) {
      int radix = c1 == 'x' ? 16 : c1 == 'o' ? 8 : 2;
      pos += 2;
      int digitsStart = pos;
      while (pos < src.length() && (isIdentifierPartAscii(src.charAt(pos)))) {
        pos++;
      }
      String digits = src.substring(digitsStart, pos);
      if (!validUnderscores(digits, true)) {
        throw badNumber(l, col, start, "digits may be separated by single underscores only");
      }
      String clean = digits.replace("_", "");
      for (int i = 0; i < clean.length(); i++) {
        if (Character.digit(clean.charAt(i), radix) < 0) {
          throw badNumber(l, col, start, "'" + clean.charAt(i) + "' is not a base-" + radix + " digit");
        }
      }
      if (clean.isEmpty()) {
        throw badNumber(l, col, start, "no digits after the base prefix");
      }
      value = new BigInteger(clean, radix);
    } else {
      int intStart = pos;
      scanDigits();
      String intPart = src.substring(intStart, pos);
      boolean isFloat = false;
      String frac = "";
      if (pos < src.length() && src.charAt(pos) == '.' && !src.startsWith("...", pos)) {
        isFloat = true;
        pos++;
        int fracStart = pos;
        scanDigits();
        frac = src.substring(fracStart, pos);
      }
      String exp = "";
      if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
        int save = pos;
        pos++;
        if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
          pos++;
        }
        if (pos < src.length() && isDigit(src.charAt(pos))) {
          int expStart = pos;
          scanDigits();
          exp = src.substring(expStart, pos);
          isFloat = true;
        } else {
          pos = save;
        }
      }
      if (pos < src.length() && (src.charAt(pos) == 'j' || src.charAt(pos) == 'J')) {
        throw error(l, col, "complex numbers are not supported: " + src.substring(start, pos + 1));
      }
      checkNumberEnd(l, col, start);
      if (!validUnderscores(intPart, false) || !validUnderscores(frac, false)
          || !validUnderscores(exp, false)) {
        throw badNumber(l, col, start, "digits may be separated by single underscores only");
      }
      String text = src.substring(start, pos).replace("_", "");
      if (isFloat) {
        value = Double.parseDouble(text);
      } else {
        if (text.length() > 1 && text.charAt(0) == '0' && !text.chars().allMatch(ch -> ch == '0')) {
          throw badNumber(l, col, start, "leading zeros in decimal integer literals are not permitted;"
              + " use an 0o prefix for octal integers");
        }
        value = new BigInteger(text);
      }
      return new Token(Kind.NUMBER, src.substring(start, pos), value, l, col);
    }
    checkNumberEnd(l, col, start);
    return new Token(Kind.NUMBER, src.substring(start, pos), value, l, col);
  }

  /** A number directly followed by a letter, digit, underscore or dot is one malformed literal. */
  private void checkNumberEnd(int l, int col, int start) {
    if (pos < src.length()) {
      char c = src.charAt(pos);
      if (isIdentifierPart(src.codePointAt(pos)) || c == '.') {
        throw badNumber(l, col, start, null);
      }
    }
  }

  private ConfigException badNumber(int l, int col, int start, String why) {
    int end = pos;
    while (end < src.length() && (isIdentifierPartAscii(src.charAt(end)) || src.charAt(end) == '.')) {
      end++;
    }
    String text = abbreviate(src.substring(start, end), 40);
    return error(l, col, "invalid number literal '" + text + "'" + (why == null ? "" : ": " + why));
  }

  private void scanDigits() {
    while (pos < src.length() && (isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
  }

  /** Python allows single underscores between digits only ({@code 1_000}, not {@code 1__0} or {@code 1_}). */
  private static boolean validUnderscores(String digits, boolean leadingAllowed) {
    if (digits.isEmpty()) {
      return true;
    }
    if (digits.endsWith("_") || digits.contains("__") || (!leadingAllowed && digits.startsWith("_"))) {
      return false;
    }
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isIdentifierPartAscii(char c) {
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  static boolean isIdentifierStart(int cp) {
    return cp == '_' || Character.isLetter(cp) || Character.getType(cp) == Character.LETTER_NUMBER;
  }

  static boolean isIdentifierPart(int cp) {
    return isIdentifierStart(cp) || Character.isDigit(cp)
        || Character.getType(cp) == Character.NON_SPACING_MARK
        || Character.getType(cp) == Character.COMBINING_SPACING_MARK
        || Character.getType(cp) == Character.CONNECTOR_PUNCTUATION;
  }

  /** Whether {@code s} is a Python identifier (keywords included). */
  static boolean isIdentifier(String s) {
    if (s.isEmpty() || !isIdentifierStart(s.codePointAt(0))) {
      return false;
    }
    for (int i = Character.charCount(s.codePointAt(0)); i < s.length(); ) {
      int cp = s.codePointAt(i);
      if (!isIdentifierPart(cp)) {
        return false;
      }
      i += Character.charCount(cp);
    }
    return true;
  }

  static String abbreviate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
