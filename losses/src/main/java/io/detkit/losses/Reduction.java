package io.detkit.losses;

import io.detkit.core.config.ConfigKey;

/**
 * Step 4 of the pipeline: how the weighted element-wise loss becomes the returned value, which
 * keeps the element-wise shape under {@link #NONE} and is rank 0 otherwise. {@link #parse} throws
 * {@link IllegalArgumentException} for a name other than MMDetection's three.
 */
public enum Reduction implements ConfigKey {
  /** Keep the element-wise loss. {@code avg_factor} is ignored, as in MMDetection. */
  NONE,
  /** Sum divided by the element count, or by {@code avg_factor + eps} when one is given. */
  MEAN,
  /** Plain sum; combining it with an {@code avg_factor} is an error, as in MMDetection. */
  SUM;

  /**
   * Parses MMDetection's {@code 'none'}, {@code 'mean'} or {@code 'sum'}.
   *
   * @throws IllegalArgumentException naming {@code reduction} and the accepted values
   */
  public static Reduction parse(String reduction) {
    return ConfigKey.parse(Reduction.class, "reduction", reduction);
  }
}
