package io.detkit.core.config;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * An enum spelled in config dicts as its lower-case name, as MMDetection spells its string options
 * ({@code reduction='mean'}, {@code mode='linear'}): the spelling ({@link #key()}) and the parser
 * ({@link #parse}), written once for every such enum (the losses' {@code Reduction} and
 * {@code IoULoss.Mode}); {@link RecordBinder} reads an enum component of a parameter record with it.
 */
public interface ConfigKey {
  /** The enum constant's name (every enum has it). */
  String name();

  /** MMDetection's spelling: the lower-case name. */
  default String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The constant of {@code type} spelled {@code key} (any case).
   *
   * @param name the parameter's name, for the message
   * @throws IllegalArgumentException {@code "<name> must be one of 'a', 'b'; got '<key>'"}
   */
  static <E extends Enum<E> & ConfigKey> E parse(Class<E> type, String name, String key) {
    E[] values = type.getEnumConstants();
    if (key != null) {
      for (E e : values) {
        if (e.key().equals(key.toLowerCase(Locale.ROOT))) {
          return e;
        }
      }
    }
    StringJoiner accepted = new StringJoiner(", ");
    for (E e : values) {
      accepted.add("'" + e.key() + "'");
    }
    throw new IllegalArgumentException(name + " must be one of " + accepted + "; got '" + key + "'");
  }
}
