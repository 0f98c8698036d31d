package io.detkit.core.golden;

import java.util.Set;

/**
 * Runs golden cases of the components a module owns. One implementation per module (or per
 * concept); {@link ConformanceSuite} feeds it every case whose {@code component} it names.
 */
public interface ComponentRunner {
  /** The manifest {@code component} names this runner owns. */
  Set<String> components();

  /**
   * Runs {@code c} and returns every output and gradient the case expects, in the case's
   * precision. Invariants are checked here (throw {@link AssertionError} on a violation).
   *
   * @throws UnsupportedCaseException for a call, input or output this runner does not know
   * @throws RuntimeException the component's own exception, which the suite expects exactly when
   *     the case has {@code outputs.error}
   */
  CaseOutputs run(GoldenCase c) throws Exception;
}
