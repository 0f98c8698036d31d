package io.detkit.core.coder;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The registry of box coders (kind "bbox coder"), MMDetection's {@code BBOX_CODERS}: {@code
 * DeltaXYWHBBoxCoder}, {@code TBLRBBoxCoder} and {@code DistancePointBBoxCoder} are registered;
 * users may add their own types.
 */
public final class BBoxCoders {
  /** Builds coders from configs such as {@code dict(type='DeltaXYWHBBoxCoder', target_stds=[...])}. */
  public static final Registry<BBoxCoder> REGISTRY = new Registry<BBoxCoder>("bbox coder")
      .register("DeltaXYWHBBoxCoder", DeltaXYWHBBoxCoder::fromConfig)
      .register("TBLRBBoxCoder", TBLRBBoxCoder::fromConfig)
      .register("DistancePointBBoxCoder", DistancePointBBoxCoder::fromConfig);

  private BBoxCoders() {}

  /**
   * Builds the coder that {@code config}'s {@code type} names.
   *
   * @throws io.detkit.core.config.ConfigException naming the key when the type or a parameter is
   *     unknown or invalid
   */
  public static BBoxCoder build(Config config) {
    return REGISTRY.build(config);
  }
}
