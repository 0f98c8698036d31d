package io.detkit.core.config;

/**
 * A position in Python source shared by the lexer and its literal scanners ({@link PyStrings},
 * {@link PyNumbers}): the text (newlines normalised), the offset, the 1-based line and where it
 * starts, and errors located at a line and column of the named source.
 */
final class PyCursor {
  final String src;
  final String sourceName;
  int pos;
  int line = 1;
  private int lineStart;

  PyCursor(String source, String sourceName) {
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

  /** The 1-based column of {@link #pos}. */
  int column() {
    return pos - lineStart + 1;
  }

  /** Records that the character before {@link #pos} was a newline. */
  void newlineConsumed() {
    line++;
    lineStart = pos;
  }

  ConfigException error(int atLine, int atColumn, String message) {
    return ConfigException.syntax(sourceName, atLine, atColumn, message);
  }
}
