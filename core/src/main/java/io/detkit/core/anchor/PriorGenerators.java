package io.detkit.core.anchor;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The registry of prior generators (kind "prior generator"), MMDetection's {@code
 * PRIOR_GENERATORS}: {@code AnchorGenerator}, {@code SSDAnchorGenerator} and {@code
 * MlvlPointGenerator} are registered; users may add their own types.
 */
public final class PriorGenerators {
  /** Builds prior generators from configs such as {@code dict(type='AnchorGenerator', ...)}. */
  public static final Registry<PriorGenerator> REGISTRY = new Registry<PriorGenerator>("prior generator")
      .register("AnchorGenerator", AnchorGenerator::fromConfig)
      .register("SSDAnchorGenerator", SSDAnchorGenerator::fromConfig)
      .register("MlvlPointGenerator", MlvlPointGenerator::fromConfig);

  private PriorGenerators() {}

  /**
   * Builds the generator that {@code config}'s {@code type} names.
   *
   * @throws io.detkit.core.config.ConfigException naming the key when the type or a parameter is
   *     unknown, missing or invalid
   */
  public static PriorGenerator build(Config config) {
    return REGISTRY.build(config);
  }
}
