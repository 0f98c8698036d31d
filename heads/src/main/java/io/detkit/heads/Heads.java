package io.detkit.heads;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;

/**
 * The dense-head registry, MMDetection's {@code HEADS}: {@code Heads.build(cfg)} turns
 * {@code dict(type='RetinaHead', num_classes=80, ...)} into a head. Registered types:
 * {@code AnchorHead}, {@code RPNHead}, {@code RetinaHead}, {@code ATSSHead}, {@code GFLHead}, {@code TOODHead}. Register a subclass with
 * {@code Heads.REGISTRY.register("MyHead", MyHead::fromConfig)} once at start-up.
 *
 * <p>The Java way to the same heads: {@code Heads.retinaHead().numClasses(80).trainCfg(...).build()}
 * (each builder starts from that head's MMDetection defaults).
 */
public final class Heads {
  /** Every built-in head, by MMDetection type name. */
  public static final Registry<AnchorHead> REGISTRY = new Registry<AnchorHead>("head")
      .register("AnchorHead", AnchorHead::fromConfig)
      .register("RPNHead", RPNHead::fromConfig)
      .register("RetinaHead", RetinaHead::fromConfig)
      .register("ATSSHead", ATSSHead::fromConfig)
      .register("GFLHead", io.detkit.heads.gfl.GFLHead::fromConfig)
      .register("TOODHead", io.detkit.heads.tood.TOODHead::fromConfig);

  private Heads() {}

  /** A builder of a plain {@link AnchorHead}. */
  public static AnchorHead.Builder anchorHead() {
    return new AnchorHead.Builder();
  }

  /** A builder of an {@link RPNHead} ({@code num_classes=1}). */
  public static RPNHead.Builder rpnHead() {
    return new RPNHead.Builder();
  }

  /** A builder of a {@link RetinaHead} (RetinaNet's default anchors). */
  public static RetinaHead.Builder retinaHead() {
    return new RetinaHead.Builder();
  }

  /** A builder of an {@link ATSSHead} ({@code reg_decoded_bbox=True}, centerness loss). */
  public static ATSSHead.Builder atssHead() {
    return new ATSSHead.Builder();
  }

  /**
   * Builds the head {@code config} describes.
   *
   * @throws io.detkit.core.config.ConfigException for an unknown type or parameter, or a bad value
   */
  public static AnchorHead build(Config config) {
    return REGISTRY.build(config);
  }
}
