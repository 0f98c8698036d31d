package io.detkit.core.bbox;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The iou calculator registry, MMDetection's {@code IOU_CALCULATORS}: builds
 * {@link BboxOverlaps2D} from {@code dict(type='BboxOverlaps2D', scale=1.0, dtype=None)}.
 */
public final class IouCalculators {
  /** Registered types: {@code BboxOverlaps2D}. */
  public static final Registry<BboxOverlaps2D> REGISTRY =
      new Registry<BboxOverlaps2D>("iou calculator").register(BboxOverlaps2D.TYPE, BboxOverlaps2D::fromConfig);

  private IouCalculators() {}

  /**
   * Builds the calculator that {@code config}'s {@code type} names.
   *
   * @throws io.detkit.core.config.ConfigException for a missing or unknown type, an unknown
   *     parameter or an invalid value
   */
  public static BboxOverlaps2D build(Config config) {
    return REGISTRY.build(config);
  }
}
