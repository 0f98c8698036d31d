package io.detkit.core.anchor;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import java.util.List;

/** Argument checks shared by the prior generators; messages name the argument and what came. */
final class PriorChecks {
  private PriorChecks() {}

  /**
   * Checks a builder's per-level strides: at least one, none null.
   *
   * @return the number of levels
   * @throws IllegalArgumentException naming {@code strides} or the null entry
   */
  static int strides(List<Stride> strides) {
    if (strides == null || strides.isEmpty()) {
      throw new IllegalArgumentException("strides must list at least one level; got "
          + (strides == null ? "none" : "[]"));
    }
    for (int i = 0; i < strides.size(); i++) {
      Tensors.requireNonNull(strides.get(i), "strides[" + i + "]");
    }
    return strides.size();
  }

  /** @throws IllegalArgumentException unless {@code 0 <= level < numLevels} */
  static void level(int numLevels, int level) {
    Tensors.requireIndex(level, numLevels, "level");
  }

  /** @throws IllegalArgumentException unless there is one {@code (h, w)} with h, w &gt;= 0 per level */
  static void sizes(int numLevels, List<int[]> featmapSizes) {
    Tensors.requireNonNull(featmapSizes, "featmap_sizes");
    if (featmapSizes.size() != numLevels) {
      throw new IllegalArgumentException("featmap_sizes must have one (h, w) per level (" + numLevels
          + "); got " + featmapSizes.size());
    }
    for (int l = 0; l < featmapSizes.size(); l++) {
      int[] s = featmapSizes.get(l);
      if (s == null || s.length != 2) {
        throw new IllegalArgumentException(
            "featmap_sizes[" + l + "] must be (h, w); got " + (s == null ? "null" : Arrays.toString(s)));
      }
      size(s[0], s[1], "featmap_sizes[" + l + "]");
    }
  }

  /** @throws IllegalArgumentException if {@code height} or {@code width} is negative */
  static void size(int height, int width, String name) {
    if (height < 0 || width < 0) {
      throw new IllegalArgumentException(
          name + " must be (h, w) with h, w >= 0; got (" + height + ", " + width + ")");
    }
  }

  /** The number of priors of a level, failing cleanly instead of overflowing an array index. */
  static int count(int height, int width, int perCell) {
    long n = (long) height * width * perCell;
    if (n > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("featmap_size (" + height + ", " + width + ") with " + perCell
          + " priors per cell gives " + n + " priors, more than an array can hold");
    }
    return (int) n;
  }

  /** @throws IllegalArgumentException unless {@code featmapSize} is {@code (h, w)} with h, w &gt; 0 */
  static void sparseSize(int[] featmapSize) {
    if (featmapSize == null || featmapSize.length != 2 || featmapSize[0] <= 0 || featmapSize[1] <= 0) {
      throw new IllegalArgumentException("featmap_size for sparse priors must be (h, w) with h, w > 0; got "
          + (featmapSize == null ? "null" : Arrays.toString(featmapSize)));
    }
  }
}
