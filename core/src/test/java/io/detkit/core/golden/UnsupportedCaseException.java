package io.detkit.core.golden;

/**
 * A runner met a case of a component it owns but cannot run: an unknown call, argument or output
 * name. The conformance suite reports it as a failure, never a skip.
 */
public final class UnsupportedCaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedCaseException(String message) {
    super(message);
  }
}
