package io.detkit.losses;

import io.detkit.core.config.Registry;

/** Registers the classification losses under MMDetection's type names. */
final class ClassificationLosses {
  private ClassificationLosses() {}

  static void registerAll(Registry<Loss> registry) {
    registry.register(FocalLoss.TYPE, FocalLoss::new);
    registry.register(CrossEntropyLoss.TYPE, CrossEntropyLoss::new);
    registry.register(GHMC.TYPE, GHMC::new);
    registry.register(QualityFocalLoss.TYPE, QualityFocalLoss::new);
    registry.register(DistributionFocalLoss.TYPE, DistributionFocalLoss::new);
    registry.register(VarifocalLoss.TYPE, VarifocalLoss::new);
    registry.register(GaussianFocalLoss.TYPE, GaussianFocalLoss::new);
  }
}
