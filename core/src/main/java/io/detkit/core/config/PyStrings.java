package io.detkit.core.config;

/**
 * Python string literals for {@link PyLexer}: single, double and triple quotes, raw strings and every
 * escape of Python 3 ({@code \\N{name}} included); f-strings (code) and bytes are refused.
 */
final class PyStrings {
  private final PyCursor cur;
  /** The start of the refusal of an f-string: what is allowed where it stands. */
  private final String notAllowed;

  PyStrings(PyCursor cur, String notAllowed) {
    this.cur = cur;
    this.notAllowed = notAllowed;
  }

  /**
   * Scans the string literal whose quote is at the cursor, after {@code prefix} (lower-cased, possibly
   * empty) that started at line {@code l}, column {@code col}.
   */
  PyToken scan(int l, int col, String prefix) {
    if (prefix.contains("f")) {
      throw cur.error(l, col, notAllowed + "got an f-string (formatted strings are code)");
    }
    if (prefix.contains("b")) {
      throw cur.error(l, col, "bytes literals are not supported; use a str");
    }
    boolean raw = prefix.contains("r");
    int tokenStart = cur.pos - prefix.length();
    char quote = cur.src.charAt(cur.pos);
    boolean triple = cur.src.startsWith(String.valueOf(quote).repeat(3), cur.pos);
    cur.pos += triple ? 3 : 1;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (cur.pos >= cur.src.length()) {
        throw cur.error(l, col,
            (triple ? "unterminated triple-quoted string literal" : "unterminated string literal")
            + " (it starts here and the input ends before its closing " + quote + ")");
      }
      char c = cur.src.charAt(cur.pos);
      if (c == quote) {
        if (!triple) {
          cur.pos++;
          break;
        }
        if (cur.src.startsWith(String.valueOf(quote).repeat(3), cur.pos)) {
          cur.pos += 3;
          break;
        }
        sb.append(c);
        cur.pos++;
      } else if (c == '\n') {
        if (!triple) {
          throw cur.error(l, col, "unterminated string literal (the line ends before its closing " + quote + ")");
        }
        sb.append(c);
        cur.pos++;
        cur.newlineConsumed();
      } else if (c == '\\') {
        if (raw) {
          // A raw string keeps the backslash; it only stops the next character from ending the string.
          sb.append(c);
          cur.pos++;
          if (cur.pos < cur.src.length()) {
            char d = cur.src.charAt(cur.pos);
            sb.append(d);
            cur.pos++;
            if (d == '\n') {
              cur.newlineConsumed();
            }
          }
        } else {
          escape(sb);
        }
      } else {
        sb.append(c);
        cur.pos++;
      }
      if (sb.length() > ConfigLoader.MAX_STRING_LENGTH) {
        throw cur.error(l, col, "string literal longer than " + ConfigLoader.MAX_STRING_LENGTH
            + " characters (ConfigLoader.MAX_STRING_LENGTH)");
      }
    }
    return new PyToken(PyToken.Kind.STRING, cur.src.substring(tokenStart, cur.pos), sb.toString(), l, col);
  }

  private void escape(StringBuilder sb) {
    int l = cur.line;
    int col = cur.column();
    cur.pos++;
    if (cur.pos >= cur.src.length()) {
      return;
    }
    char c = cur.src.charAt(cur.pos);
    cur.pos++;
    switch (c) {
      case '\n' -> cur.newlineConsumed();
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
        for (int i = 0; i < 2 && cur.pos < cur.src.length() && cur.src.charAt(cur.pos) >= '0' && cur.src.charAt(cur.pos) <= '7';
            i++) {
          v = v * 8 + (cur.src.charAt(cur.pos++) - '0');
        }
        sb.append((char) v);
      }
      case 'x' -> sb.append((char) hexEscape(2, l, col, "\\xhh"));
      case 'u' -> sb.append((char) hexEscape(4, l, col, "\\uxxxx"));
      case 'U' -> {
        int cp = hexEscape(8, l, col, "\\Uxxxxxxxx");
        if (cp > Character.MAX_CODE_POINT) {
          throw cur.error(l, col,
              "illegal Unicode character in \\U escape: U+" + Integer.toHexString(cp).toUpperCase());
        }
        sb.appendCodePoint(cp);
      }
      case 'N' -> {
        int close = cur.src.indexOf('}', cur.pos);
        int eol = cur.src.indexOf('\n', cur.pos);
        if (cur.pos >= cur.src.length() || cur.src.charAt(cur.pos) != '{' || close < 0 || (eol >= 0 && eol < close)) {
          throw cur.error(l, col, "malformed \\N{name} escape");
        }
        String name = cur.src.substring(cur.pos + 1, close);
        try {
          sb.appendCodePoint(Character.codePointOf(name));
        } catch (IllegalArgumentException e) {
          throw cur.error(l, col, "unknown Unicode character name in \\N{" + name + "}");
        }
        cur.pos = close + 1;
      }
      default -> {
        // Python keeps an unrecognised escape as written (with a warning); so do we.
        sb.append('\\');
        cur.pos--;
      }
    }
  }

  private int hexEscape(int digits, int l, int col, String form) {
    int v = 0;
    for (int i = 0; i < digits; i++) {
      int d = cur.pos < cur.src.length() ? Character.digit(cur.src.charAt(cur.pos), 16) : -1;
      if (d < 0) {
        throw cur.error(l, col, "truncated " + form + " escape: expected " + digits + " hex digits");
      }
      v = v * 16 + d;
      cur.pos++;
    }
    return v;
  }
}
