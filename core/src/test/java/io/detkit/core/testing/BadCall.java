package io.detkit.core.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/**
 * One case of a parameterized error test, shared by the modules' tests through core's test-jar: a
 * call that must throw {@code type} with a message holding every one of {@code fragments} (the
 * argument's name, what was expected, what came). Shown by {@code name} in the test report.
 *
 * @param name the case's label
 * @param call the call that must throw
 * @param type the exception class expected (subclasses pass)
 * @param fragments the pieces the message must contain
 */
public record BadCall(String name, ThrowingCallable call, Class<? extends Throwable> type, String... fragments) {
  /** A case expecting an {@link IllegalArgumentException}. */
  public static BadCall of(String name, ThrowingCallable call, String... fragments) {
    return new BadCall(name, call, IllegalArgumentException.class, fragments);
  }

  /** Runs the call and checks the exception's class and message. */
  public void assertRejected() {
    var thrown = assertThatThrownBy(call).isInstanceOf(type);
    for (String fragment : fragments) {
      thrown.hasMessageContaining(fragment);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
