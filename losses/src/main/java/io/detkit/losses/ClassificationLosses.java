package io.detkit.losses;

import io.detkit.core.config.Registry;

/** Registers the classification losses. */
final class ClassificationLosses {
  private ClassificationLosses() {}

  static void registerAll(Registry<Loss> registry) {
  }
}
