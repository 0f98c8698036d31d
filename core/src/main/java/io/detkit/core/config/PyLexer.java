package io.detkit.core.config;

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
  /**
   * mmcv's pattern for a reference to a base file's value, {@code {{ _base_.a.b }}} (without
   * newlines inside, so that line numbers stay right).
   */
  static final java.util.regex.Pattern BASE_REF = java.util.regex.Pattern.compile(
      "\\{\\{[^\\S\\n]*_base_\\.([\\w.]+)[^\\S\\n]*}}", java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);

  /** Longest operators first, so that maximal munch is a simple scan. */
  private static final String[] OPERATORS = {
      "**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
      ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|=",
      "!", "%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">", "@", "[", "]",
      "^", "{", "|", "}", "~"};

  private static final Set<String> STRING_PREFIXES = Set.of(
      "r", "u", "f", "b", "br", "rb", "fr", "rf");

  private final PyCursor cur;
  private final PyStrings strings;
  private final PyNumbers numbers;
  private int bracketLevel;
  private boolean lastWasNewline = true;
  private final ArrayDeque<PyToken> lookahead = new ArrayDeque<>();

  /**
   * A lexer over {@code source}, named {@code sourceName} in errors; {@code notAllowed} starts the
   * refusal of an f-string (what is allowed where it stands, {@link PyRefusals}).
   */
  PyLexer(String source, String sourceName, String notAllowed) {
    this.cur = new PyCursor(source, sourceName);
    this.strings = new PyStrings(cur, notAllowed);
    this.numbers = new PyNumbers(cur);
  }

  String sourceName() {
    return cur.sourceName;
  }

  ConfigException error(int atLine, int atColumn, String message) {
    return cur.error(atLine, atColumn, message);
  }

  ConfigException error(PyToken at, String message) {
    return error(at.line, at.column, message);
  }

  /** The token {@code k} places ahead (0 = next) without consuming it. */
  PyToken peek(int k) {
    while (lookahead.size() <= k) {
      lookahead.addLast(scan());
    }
    int i = 0;
    for (PyToken t : lookahead) {
      if (i++ == k) {
        return t;
      }
    }
    throw new AssertionError("unreachable");
  }

  PyToken peek() {
    return peek(0);
  }

  PyToken next() {
    peek(0);
    return lookahead.removeFirst();
  }

  private PyToken scan() {
    while (true) {
      if (cur.pos >= cur.src.length()) {
        return new PyToken(PyToken.Kind.EOF, "", null, cur.line, cur.column());
      }
      char c = cur.src.charAt(cur.pos);
      if (c == ' ' || c == '\t' || c == '\f') {
        cur.pos++;
        continue;
      }
      if (c == '#') {
        while (cur.pos < cur.src.length() && cur.src.charAt(cur.pos) != '\n') {
          cur.pos++;
        }
        continue;
      }
      if (c == '\\') {
        if (cur.pos + 1 < cur.src.length() && cur.src.charAt(cur.pos + 1) == '\n') {
          cur.pos += 2;
          cur.newlineConsumed();
          continue;
        }
        throw error(cur.line, cur.column(),
            "unexpected character '\\' (a backslash outside a string must end the line)");
      }
      if (c == '\n') {
        int l = cur.line;
        int col = cur.column();
        cur.pos++;
        cur.newlineConsumed();
        if (bracketLevel == 0 && !lastWasNewline) {
          lastWasNewline = true;
          return new PyToken(PyToken.Kind.NEWLINE, "\n", null, l, col);
        }
        continue;
      }
      lastWasNewline = false;
      int cp = cur.src.codePointAt(cur.pos);
      if (isIdentifierStart(cp)) {
        return nameOrString();
      }
      if (isDigit(c) || (c == '.' && cur.pos + 1 < cur.src.length() && isDigit(cur.src.charAt(cur.pos + 1)))) {
        return numbers.scan();
      }
      if (c == '\'' || c == '"') {
        return strings.scan(cur.line, cur.column(), "");
      }
      if (c == '{') {
        java.util.regex.Matcher m = BASE_REF.matcher(cur.src).region(cur.pos, cur.src.length());
        if (m.lookingAt()) {
          PyToken t = new PyToken(PyToken.Kind.BASEREF, m.group(), m.group(1), cur.line, cur.column());
          cur.pos = m.end();
          return t;
        }
      }
      return operator();
    }
  }

  private PyToken operator() {
    int l = cur.line;
    int col = cur.column();
    for (String op : OPERATORS) {
      if (cur.src.startsWith(op, cur.pos)) {
        cur.pos += op.length();
        switch (op) {
          case "(", "[", "{" -> bracketLevel++;
          case ")", "]", "}" -> bracketLevel = Math.max(0, bracketLevel - 1);
          default -> { }
        }
        return new PyToken(PyToken.Kind.OP, op, null, l, col);
      }
    }
    int cp = cur.src.codePointAt(cur.pos);
    String shown = cp >= 0x20 && cp != 0x7f && !Character.isISOControl(cp)
        ? new String(Character.toChars(cp))
        : String.format("U+%04X", cp);
    throw error(l, col, "unexpected character '" + shown + "'");
  }

  private PyToken nameOrString() {
    int l = cur.line;
    int col = cur.column();
    int start = cur.pos;
    while (cur.pos < cur.src.length()) {
      int cp = cur.src.codePointAt(cur.pos);
      if (!isIdentifierPart(cp)) {
        break;
      }
      cur.pos += Character.charCount(cp);
    }
    String name = cur.src.substring(start, cur.pos);
    if (cur.pos < cur.src.length() && (cur.src.charAt(cur.pos) == '\'' || cur.src.charAt(cur.pos) == '"')
        && STRING_PREFIXES.contains(name.toLowerCase())) {
      return strings.scan(l, col, name.toLowerCase());
    }
    return new PyToken(PyToken.Kind.NAME, name, null, l, col);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  static boolean isIdentifierPartAscii(char c) {
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
