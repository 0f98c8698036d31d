package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;
import java.util.List;

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

  /** The built-in loss types, classification then regression, each registered under its name. */
  public static final List<LossType<?, ?>> BUILT_IN = List.of(
      FocalLoss.TYPE, CrossEntropyLoss.TYPE, GHMC.TYPE, QualityFocalLoss.TYPE, DistributionFocalLoss.TYPE,
      VarifocalLoss.TYPE, GaussianFocalLoss.TYPE,
      SmoothL1Loss.TYPE, L1Loss.TYPE, BalancedL1Loss.TYPE, MSELoss.TYPE, GHMR.TYPE,
      IoULoss.TYPE, GIoULoss.TYPE, DIoULoss.TYPE, CIoULoss.TYPE, BoundedIoULoss.TYPE);

  static {
    BUILT_IN.forEach(REGISTRY::register);
  }

  private Losses() {}

  /** Builds the loss {@code config} describes. @throws io.detkit.core.config.ConfigException on a bad config */
  public static Loss build(Config config) {
    return REGISTRY.build(config);
  }
}
