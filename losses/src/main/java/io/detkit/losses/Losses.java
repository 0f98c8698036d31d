package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The loss registry, MMDetection's {@code LOSSES}: {@code Losses.build(cfg)} turns
 * {@code dict(type='FocalLoss', gamma=2.0, ...)} into a {@link Loss}. Register your own loss with
 * {@code Losses.REGISTRY.register("MyLoss", MyLoss::new)} once at start-up (the counterpart of
 * {@code @LOSSES.register_module()}).
 */
public final class Losses {
  /** Every built-in loss, by MMDetection type name. */
  public static final Registry<Loss> REGISTRY = new Registry<>("loss");

  static {
    ClassificationLosses.registerAll(REGISTRY);
    RegressionLosses.registerAll(REGISTRY);
  }

  private Losses() {}

  /** Builds the loss {@code config} describes. @throws io.detkit.core.config.ConfigException on a bad config */
  public static Loss build(Config config) {
    return REGISTRY.build(config);
  }
}
