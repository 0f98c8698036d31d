package io.detkit.core.config;

import java.util.function.Supplier;

/**
 * A configuration could not be read, parsed, or turned into a component.
 *
 * <p>The message always names where the problem is: the dotted key path inside the config
 * ({@code model.bbox_head.loss_cls.gamma}) and, for syntax errors, the source, line and column
 * (1-based). {@link #path()}, {@link #line()} and {@link #column()} expose the same facts to code.
 * It extends {@link IllegalArgumentException} so callers that only guard against bad arguments
 * catch it too.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /** The dotted key path, or null. */
  private final String path;
  /** The 1-based line of a syntax error, or -1. */
  private final int line;
  /** The 1-based column of a syntax error, or -1. */
  private final int column;

  private ConfigException(String message, String path, int line, int column, Throwable cause) {
    super(message, cause);
    this.path = path;
    this.line = line;
    this.column = column;
  }

  /** An error about the value at {@code path} (dotted; empty for the root). */
  public static ConfigException at(String path, String message) {
    String where = path == null || path.isEmpty() ? "" : path + ": ";
    return new ConfigException(where + message, path, -1, -1, null);
  }

  /** A syntax error at a 1-based line and column of {@code source} (a file name or a label). */
  public static ConfigException syntax(String source, int line, int column, String message) {
    String prefix = (source == null || source.isEmpty() ? "<config>" : source) + ":" + line + ":" + column;
    return new ConfigException(
        prefix + ": " + message + " (line " + line + ", column " + column + ")", null, line, column, null);
  }

  /**
   * Runs {@code build}, which makes a component from dict {@code c}; a plain
   * {@link IllegalArgumentException} it throws (a record's check, which names the parameter but
   * knows no path) becomes a {@code ConfigException} at {@code c}'s path with the same message, and
   * a {@code ConfigException} (which has its path already) passes unchanged; a parameter's range
   * error ({@link ParamChecks.BadParameter}, which names its key) goes to that key's path. The one
   * form of that re-raise for every {@code fromConfig}.
   */
  public static <T> T reraisedAt(Config c, Supplier<T> build) {
    try {
      return build.get();
    } catch (ConfigException e) {
      throw e;
    } catch (ParamChecks.BadParameter e) {
      throw at(c.pathOf(e.key()), e.getMessage());
    } catch (IllegalArgumentException e) {
      throw at(c.path(), e.getMessage());
    }
  }

  /** {@link #reraisedAt(Config, Supplier)} at a dotted {@code path} (a key's, a list item's). */
  public static <T> T reraisedAt(String path, Supplier<T> build) {
    try {
      return build.get();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw at(path, e.getMessage());
    }
  }

  /** Wraps another failure with a message that names what was being read. */
  public static ConfigException wrap(String message, Throwable cause) {
    return new ConfigException(message, null, -1, -1, cause);
  }

  /** The dotted path of the offending key, or {@code null} when the error is not about one key. */
  public String path() {
    return path;
  }

  /** The 1-based line of a syntax error, or -1. */
  public int line() {
    return line;
  }

  /** The 1-based column of a syntax error, or -1. */
  public int column() {
    return column;
  }
}
