package io.detkit.core.config;

import java.math.BigInteger;

/**
 * Python number literals for {@link PyLexer}: decimal, hexadecimal, octal and binary integers (as
 * {@link BigInteger}, range-checked by the parser), floats with fractions and exponents, digit
 * underscores where Python allows them; complex numbers, leading zeros and glued letters are refused
 * with the literal named.
 */
final class PyNumbers {
  private final PyCursor cur;

  PyNumbers(PyCursor cur) {
    this.cur = cur;
  }

  /** Scans the number literal that starts at the cursor. */
  PyToken scan() {
    int l = cur.line;
    int col = cur.column();
    int start = cur.pos;
    Object value;
    char c0 = cur.src.charAt(cur.pos);
    char c1 = cur.pos + 1 < cur.src.length() ? Character.toLowerCase(cur.src.charAt(cur.pos + 1)) : 0;
    if (c0 == '0' && (c1 == 'x' || c1 == 'o' || c1 == 'b')) {
      int radix = c1 == 'x' ? 16 : c1 == 'o' ? 8 : 2;
      cur.pos += 2;
      int digitsStart = cur.pos;
      while (cur.pos < cur.src.length() && (PyLexer.isIdentifierPartAscii(cur.src.charAt(cur.pos)))) {
        cur.pos++;
      }
      String digits = cur.src.substring(digitsStart, cur.pos);
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
      int intStart = cur.pos;
      scanDigits();
      String intPart = cur.src.substring(intStart, cur.pos);
      boolean isFloat = false;
      String frac = "";
      if (cur.pos < cur.src.length() && cur.src.charAt(cur.pos) == '.' && !cur.src.startsWith("...", cur.pos)) {
        isFloat = true;
        cur.pos++;
        int fracStart = cur.pos;
        scanDigits();
        frac = cur.src.substring(fracStart, cur.pos);
      }
      String exp = "";
      if (cur.pos < cur.src.length() && (cur.src.charAt(cur.pos) == 'e' || cur.src.charAt(cur.pos) == 'E')) {
        int save = cur.pos;
        cur.pos++;
        if (cur.pos < cur.src.length() && (cur.src.charAt(cur.pos) == '+' || cur.src.charAt(cur.pos) == '-')) {
          cur.pos++;
        }
        if (cur.pos < cur.src.length() && isDigit(cur.src.charAt(cur.pos))) {
          int expStart = cur.pos;
          scanDigits();
          exp = cur.src.substring(expStart, cur.pos);
          isFloat = true;
        } else {
          cur.pos = save;
        }
      }
      if (cur.pos < cur.src.length() && (cur.src.charAt(cur.pos) == 'j' || cur.src.charAt(cur.pos) == 'J')) {
        throw cur.error(l, col, "complex numbers are not supported: " + cur.src.substring(start, cur.pos + 1));
      }
      checkNumberEnd(l, col, start);
      if (!validUnderscores(intPart, false) || !validUnderscores(frac, false)
          || !validUnderscores(exp, false)) {
        throw badNumber(l, col, start, "digits may be separated by single underscores only");
      }
      String text = cur.src.substring(start, cur.pos).replace("_", "");
      if (isFloat) {
        value = Double.parseDouble(text);
      } else {
        if (text.length() > 1 && text.charAt(0) == '0' && !text.chars().allMatch(ch -> ch == '0')) {
          throw badNumber(l, col, start, "leading zeros in decimal integer literals are not permitted;"
              + " use an 0o prefix for octal integers");
        }
        value = new BigInteger(text);
      }
      return new PyToken(PyToken.Kind.NUMBER, cur.src.substring(start, cur.pos), value, l, col);
    }
    checkNumberEnd(l, col, start);
    return new PyToken(PyToken.Kind.NUMBER, cur.src.substring(start, cur.pos), value, l, col);
  }

  /** A number directly followed by a letter, digit, underscore or dot is one malformed literal. */
  private void checkNumberEnd(int l, int col, int start) {
    if (cur.pos < cur.src.length()) {
      char c = cur.src.charAt(cur.pos);
      if (PyLexer.isIdentifierPart(cur.src.codePointAt(cur.pos)) || c == '.') {
        throw badNumber(l, col, start, null);
      }
    }
  }

  private ConfigException badNumber(int l, int col, int start, String why) {
    int end = cur.pos;
    while (end < cur.src.length() && (PyLexer.isIdentifierPartAscii(cur.src.charAt(end)) || cur.src.charAt(end) == '.')) {
      end++;
    }
    String text = PyLexer.abbreviate(cur.src.substring(start, end), 40);
    return cur.error(l, col, "invalid number literal '" + text + "'" + (why == null ? "" : ": " + why));
  }

  private void scanDigits() {
    while (cur.pos < cur.src.length() && (isDigit(cur.src.charAt(cur.pos)) || cur.src.charAt(cur.pos) == '_')) {
      cur.pos++;
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
}
