package io.detkit.heads.anchorfree;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The registry of anchor-free heads by MMDetection type name: {@code FCOSHead}, {@code VFNetHead}. It is separate from
 * {@link io.detkit.heads.Heads#REGISTRY}, whose heads are {@link io.detkit.heads.AnchorHead}s; both
 * read the same config dicts. Register a subclass with
 * {@code AnchorFreeHeads.REGISTRY.register("MyHead", MyHead::fromConfig)} once at start-up.
 */
public final class AnchorFreeHeads {
  /** Every built-in anchor-free head. */
  public static final Registry<AnchorFreeHead> REGISTRY = new Registry<AnchorFreeHead>("anchor-free head")
      .register(FCOSHead.TYPE, FCOSHead::fromConfig)
      .register(VFNetHead.TYPE, VFNetHead::fromConfig);

  private AnchorFreeHeads() {}

  /**
   * Builds the head {@code config} describes.
   *
   * @throws io.detkit.core.config.ConfigException for an unknown type or parameter, or a bad value
   */
  public static AnchorFreeHead build(Config config) {
    return REGISTRY.build(config);
  }
}
