package io.detkit.losses;

import io.detkit.core.config.Registry;

/** Registers the regression and IoU-family losses. */
final class RegressionLosses {
  private RegressionLosses() {}

  static void registerAll(Registry<Loss> registry) {
  }
}
