package io.detkit.tools.data;

/**
 * Input data could not be used: an unreadable or oversized image, a malformed annotation file, a
 * file name that escapes the image folder. The message names the file and the reason.
 */
public final class DataException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
