package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The loss registry, MMDetection's {@code LOSSES}: {@code Losses.build(cfg)} turns
 * {@code dict(type='FocalLoss', gamma=2.0, ...)} into a {@link Loss}. Register your own loss with
 * its descriptor ({@link LossType}) with
 * {@code Losses.REGISTRY.register(MyLoss.TYPE)} once at start-up (the counterpart of
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
    REGISTRY.register(FocalLoss.TYPE);
    REGISTRY.register(CrossEntropyLoss.TYPE);
    REGISTRY.register(GHMC.TYPE);
    REGISTRY.register(QualityFocalLoss.TYPE);
    REGISTRY.register(DistributionFocalLoss.TYPE);
    REGISTRY.register(VarifocalLoss.TYPE);
    REGISTRY.register(GaussianFocalLoss.TYPE);
    REGISTRY.register(SmoothL1Loss.TYPE);
    REGISTRY.register(L1Loss.TYPE);
    REGISTRY.register(BalancedL1Loss.TYPE);
    REGISTRY.register(MSELoss.TYPE);
    REGISTRY.register(GHMR.TYPE);
    REGISTRY.register(IoULoss.TYPE);
    REGISTRY.register(GIoULoss.TYPE);
    REGISTRY.register(DIoULoss.TYPE);
    REGISTRY.register(CIoULoss.TYPE);
    REGISTRY.register(BoundedIoULoss.TYPE);
  }

  private Losses() {}

  /** Builds the loss {@code config} describes. @throws io.detkit.core.config.ConfigException on a bad config */
  public static Loss build(Config config) {
    return REGISTRY.build(config);
  }
}
