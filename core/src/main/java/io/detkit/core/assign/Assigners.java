package io.detkit.core.assign;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.Registry;

/**
 * The assigner registry (kind {@code "assigner"}), building assigners from MMDetection config
 * dicts such as {@code dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.4,
 * min_pos_iou=0, ignore_iof_thr=-1)}.
 *
 * <p>Registered types: {@code MaxIoUAssigner}, {@code ATSSAssigner}, {@code TaskAlignedAssigner}. Unknown parameters are
 * rejected with a {@link ConfigException} naming the key.
 */
public final class Assigners {
  /** Builds {@link BaseAssigner}s by their {@code type}. */
  public static final Registry<BaseAssigner> REGISTRY = new Registry<BaseAssigner>("assigner")
      .register("MaxIoUAssigner", MaxIoUAssigner::fromConfig)
      .register("ATSSAssigner", ATSSAssigner::fromConfig)
      .register("TaskAlignedAssigner", TaskAlignedAssigner::fromConfig);

  private Assigners() {}

  /** Shorthand for {@code REGISTRY.build(config)}. */
  public static BaseAssigner build(Config config) {
    return REGISTRY.build(config);
  }
}
