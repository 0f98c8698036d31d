package io.detkit.tools.model;

/**
 * Reads this package's {@code -Ddetkit.*} switches. A value that is not of the switch's kind (an
 * integer of at least its minimum, or true/false) is refused with the property's name, what it
 * takes and what came, rather than silently falling back to the default (as {@link Long#getLong}
 * and {@link Boolean#getBoolean} would), so a mistyped switch never measures or trains something else.
 */
final class SystemSettings {
  private SystemSettings() {}

  /**
   * The value of system property {@code name} as a long of at least {@code min}, or {@code def}
   * when the property is not set.
   *
   * @throws IllegalArgumentException {@code "-Ddetkit.ompMinWork must be an integer >= 0; got 'abc'"}
   */
  static long longAtLeast(String name, long def, long min) {
    String raw = System.getProperty(name);
    if (raw == null) {
      return def;
    }
    long v;
    try {
      v = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw refused(name, min, raw);
    }
    if (v < min) {
      throw refused(name, min, raw);
    }
    return v;
  }

  /**
   * The value of system property {@code name} as {@code true} or {@code false} (any case), or
   * {@code false} when it is not set.
   *
   * @throws IllegalArgumentException {@code "-Ddetkit.perLevelHead must be true or false; got 'yes'"}
   */
  static boolean flag(String name) {
    String raw = System.getProperty(name);
    if (raw == null || raw.trim().equalsIgnoreCase("false")) {
      return false;
    }
    if (raw.trim().equalsIgnoreCase("true")) {
      return true;
    }
    throw new IllegalArgumentException("-D" + name + " must be true or false; got '" + raw + "'");
  }

  private static IllegalArgumentException refused(String name, long min, String raw) {
    return new IllegalArgumentException("-D" + name + " must be an integer >= " + min + "; got '" + raw + "'");
  }
}
