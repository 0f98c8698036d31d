package io.detkit.core.config;

import io.detkit.core.config.PyToken.Kind;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The loader's limits as one parse spends them: the open brackets (and unary signs) that bound the
 * recursion to {@link ConfigLoader#MAX_DEPTH}, and the values read so far, each reference to a
 * variable counted in full, against {@link ConfigLoader#MAX_VALUES}. One instance per parse; not
 * thread-safe.
 */
final class PyLimits {
  /** A parsed value with the facts the limits need: container nesting and expanded size. */
  record Value(Object object, int depth, long size) {}

  private final PyLexer lexer;
  private final ArrayDeque<PyToken> opens = new ArrayDeque<>();
  private long valueCount;
  /** Unary signs being parsed, bounded with the brackets so that '- - - ...' cannot overflow the stack. */
  private int signs;

  PyLimits(PyLexer lexer) {
    this.lexer = lexer;
  }

  /** Enters a bracket opened at {@code at}. */
  void open(PyToken at) {
    if (opens.size() >= ConfigLoader.MAX_DEPTH) {
      throw depthError(at);
    }
    opens.push(at);
  }

  /** Leaves the innermost bracket. */
  void close() {
    opens.pop();
  }

  /** Enters a unary sign at {@code at}: a run of signs recurses once per sign. */
  void enterSign(PyToken at) {
    if (opens.size() + signs >= ConfigLoader.MAX_DEPTH) {
      throw depthError(at);
    }
    signs++;
  }

  void exitSign() {
    signs--;
  }

  /** The error for the end of input {@code eof} reached inside a bracket, or null when none is open. */
  ConfigException unclosedOrNull(PyToken eof) {
    if (opens.isEmpty() || eof.kind != Kind.EOF) {
      return null;
    }
    PyToken open = opens.peek();
    return lexer.error(eof, "unexpected end of input: '" + open.text + "' opened at line " + open.line
        + ", column " + open.column + " is never closed");
  }

  ConfigException depthError(PyToken at) {
    return lexer.error(at, "nesting deeper than " + ConfigLoader.MAX_DEPTH
        + " levels of dicts, lists and tuples (ConfigLoader.MAX_DEPTH)");
  }

  /** Counts {@code n} more values read at {@code at}. */
  void count(PyToken at, long n) {
    valueCount += n;
    if (valueCount > ConfigLoader.MAX_VALUES) {
      throw lexer.error(at, "more than " + ConfigLoader.MAX_VALUES
          + " values in one config, counting each reference to a variable in full (ConfigLoader.MAX_VALUES)");
    }
  }

  /** A scalar read at {@code at}, counted. */
  Value scalar(PyToken at, Object v) {
    count(at, 1);
    return new Value(v, 0, 1);
  }

  /** A value that did not come from the source text (an item, a base's value), counted and checked. */
  Value measured(PyToken at, Object v) {
    long[] size = {0};
    int depth = ConfigMerge.depthAndCount(v, size, ConfigLoader.MAX_DEPTH + 1, ConfigLoader.MAX_VALUES + 1L);
    count(at, size[0]);
    if (depth > ConfigLoader.MAX_DEPTH) {
      throw depthError(at);
    }
    return new Value(v, depth, size[0]);
  }

  /**
   * Closes the innermost bracket around a container whose children are {@code items}; checks the
   * nesting that references add.
   */
  Value container(PyToken at, Object object, List<Value> items) {
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
}
