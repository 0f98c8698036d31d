package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The loss registry, MMDetection's {@code LOSSES}: {@code Losses.build(cfg)} turns
 * {@code dict(type='FocalLoss', gamma=2.0, ...)} into a {@link Loss}. Register your own loss with
 * {@code Losses.REGISTRY.register("MyLoss", MyLoss::new)} once at start-up (the counterpart of
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
    REGISTRY.register(FocalLoss.TYPE, FocalLoss::new);
    REGISTRY.register(CrossEntropyLoss.TYPE, CrossEntropyLoss::new);
    REGISTRY.register(GHMC.TYPE, GHMC::new);
    REGISTRY.register(QualityFocalLoss.TYPE, QualityFocalLoss::new);
    REGISTRY.register(DistributionFocalLoss.TYPE, DistributionFocalLoss::new);
    REGISTRY.register(VarifocalLoss.TYPE, VarifocalLoss::new);
    REGISTRY.register(GaussianFocalLoss.TYPE, GaussianFocalLoss::new);
    REGISTRY.register(SmoothL1Loss.TYPE, SmoothL1Loss::new);
    REGISTRY.register(L1Loss.TYPE, L1Loss::new);
    REGISTRY.register(BalancedL1Loss.TYPE, BalancedL1Loss::new);
    REGISTRY.register(MSELoss.TYPE, MSELoss::new);
    REGISTRY.register(GHMR.TYPE, GHMR::new);
    REGISTRY.register(IoULoss.TYPE, IoULoss::new);
    REGISTRY.register(GIoULoss.TYPE, GIoULoss::new);
    REGISTRY.register(DIoULoss.TYPE, DIoULoss::new);
    REGISTRY.register(CIoULoss.TYPE, CIoULoss::new);
    REGISTRY.register(BoundedIoULoss.TYPE, BoundedIoULoss::new);
  }

  private Losses() {}

  /** Builds the loss {@code config} describes. @throws io.detkit.core.config.ConfigException on a bad config */
  public static Loss build(Config config) {
    return REGISTRY.build(config);
  }
}
