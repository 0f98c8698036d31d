package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The loss registry, MMDetection's {@code LOSSES}: {@code Losses.build(cfg)} turns
 * {@code dict(type='FocalLoss', gamma=2.0, ...)} into a {@link Loss}. Register your own loss with
 * {@code Losses.REGISTRY.register("MyLoss", MyLoss::fromConfig)} once at start-up (the counterpart of
 * {@code @LOSSES.register_module()}).
 *
 * <p>{@link #build} throws {@link io.detkit.core.config.ConfigException} (an
 * {@link IllegalArgumentException}) for a missing or unknown type, an unknown parameter or a bad
 * value, naming the key. Shapes are each loss's.
 */
public final class Losses {
  /** Every built-in loss, by MMDetection type name. */
  public static final Registry<Loss> REGISTRY = new Registry<>("loss");

  static {
    REGISTRY.register(FocalLoss.TYPE, FocalLoss::fromConfig);
    REGISTRY.register(CrossEntropyLoss.TYPE, CrossEntropyLoss::fromConfig);
    REGISTRY.register(GHMC.TYPE, GHMC::fromConfig);
    REGISTRY.register(QualityFocalLoss.TYPE, QualityFocalLoss::fromConfig);
    REGISTRY.register(DistributionFocalLoss.TYPE, DistributionFocalLoss::fromConfig);
    REGISTRY.register(VarifocalLoss.TYPE, VarifocalLoss::fromConfig);
    REGISTRY.register(GaussianFocalLoss.TYPE, GaussianFocalLoss::fromConfig);
    REGISTRY.register(SmoothL1Loss.TYPE, SmoothL1Loss::fromConfig);
    REGISTRY.register(L1Loss.TYPE, L1Loss::fromConfig);
    REGISTRY.register(BalancedL1Loss.TYPE, BalancedL1Loss::fromConfig);
    REGISTRY.register(MSELoss.TYPE, MSELoss::fromConfig);
    REGISTRY.register(GHMR.TYPE, GHMR::fromConfig);
    REGISTRY.register(IoULoss.TYPE, IoULoss::fromConfig);
    REGISTRY.register(GIoULoss.TYPE, GIoULoss::fromConfig);
    REGISTRY.register(DIoULoss.TYPE, DIoULoss::fromConfig);
    REGISTRY.register(CIoULoss.TYPE, CIoULoss::fromConfig);
    REGISTRY.register(BoundedIoULoss.TYPE, BoundedIoULoss::fromConfig);
  }

  private Losses() {}

  /** Builds the loss {@code config} describes. @throws io.detkit.core.config.ConfigException on a bad config */
  public static Loss build(Config config) {
    return REGISTRY.build(config);
  }
}
