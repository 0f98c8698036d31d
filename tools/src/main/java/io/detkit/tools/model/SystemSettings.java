package io.detkit.tools.model;

/**
 * Reads this package's numeric {@code -Ddetkit.*} switches once, at class initialisation. A value
 * that is not an integer, or is below the switch's minimum, is refused with the property's name,
 * what it takes and what came, rather than silently falling back to the default (as
 * {@link Long#getLong} would), so a mistyped switch never measures or trains something else.
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

  private static IllegalArgumentException refused(String name, long min, String raw) {
    return new IllegalArgumentException("-D" + name + " must be an integer >= " + min + "; got '" + raw + "'");
  }
}
