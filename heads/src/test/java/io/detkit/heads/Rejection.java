package io.detkit.heads;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * One bad-argument case of the heads' tests: a call and the exact message of the
 * IllegalArgumentException it must throw. The shared fixture of the parameterized argument tests:
 * {@code @ParameterizedTest(name = "{0}") @MethodSource} over a {@code Stream<Rejection>}, each
 * case named by what it feeds in.
 */
record Rejection(String what, ThrowingCallable call, String message) {
  static Rejection of(String what, ThrowingCallable call, String message) {
    return new Rejection(what, call, message);
  }

  /** Runs the call and checks the exception's class and message. */
  void assertRejected() {
    assertThatThrownBy(call).isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Override
  public String toString() {
    return what;
  }
}
