package io.detkit.losses;

/**
 * Thrown by a loss built with {@code check_finite=True} (a detkit option, off by default as in
 * MMDetection) when an input, its value or its gradient is NaN or infinite, naming the loss, what is
 * not finite and the first bad element, so a diverging run stops where it starts rather than hours
 * later.
 */
public final class NonFiniteLossException extends ArithmeticException {
  private static final long serialVersionUID = 1L;

  public NonFiniteLossException(String message) {
    super(message);
  }
}
