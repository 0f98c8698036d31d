package io.detkit.core.golden;

import java.util.Map;
import java.util.Set;

/**
 * The golden components that have cases in the set but no implementation yet, each with the reason.
 * This is the one place that says so: {@link ConformanceSuite#pendingTests} reports their cases as
 * skipped (with the reason) instead of leaving them out silently, and {@link ConformanceSuite#tests}
 * refuses a runner that owns a component still listed here, so the entry is removed the day the
 * component lands and from then on every one of its cases, hidden ones included, runs.
 */
public final class PendingComponents {
  private static final Map<String, String> REASONS = Map.of();

  private PendingComponents() {}

  /** The pending component names. */
  public static Set<String> names() {
    return REASONS.keySet();
  }

  /** Why {@code component} is pending, or null when it is not. */
  public static String reason(String component) {
    return REASONS.get(component);
  }
}
