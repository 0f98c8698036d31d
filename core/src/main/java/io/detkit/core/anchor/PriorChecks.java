package io.detkit.core.anchor;

import io.detkit.core.check.Args;
import io.detkit.core.check.Limits;

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

  /**
   * The number of priors of a level, {@code height * width * perCell}, bounded by
   * {@link Limits#MAX_LEVEL_PRIORS} so that a huge feature map fails by name before its boxes are
   * allocated.
   */
  static int count(int height, int width, int perCell) {
    return Limits.product("featmap_size (" + height + ", " + width + ") with " + perCell + " priors per cell",
        Limits.MAX_LEVEL_PRIORS, "Limits.MAX_LEVEL_PRIORS", height, width, perCell);
  }

  /**
   * A per-cell parameter list ({@code ratios}, {@code scales}...) of at most
   * {@link Limits#MAX_PRIOR_PARAMS} entries, each a positive number that stays positive and finite
   * in float32, where the priors are computed.
   *
   * @return the values rounded to float32
   * @throws IllegalArgumentException naming the list or the bad entry
   */
  static float[] positiveFloat32(String name, double[] values) {
    if (values == null || values.length == 0) {
      throw new IllegalArgumentException(name + " must list at least one positive number; got "
          + (values == null ? "none" : "[]"));
    }
    Limits.requireCount("the length of " + name, values.length, 1, Limits.MAX_PRIOR_PARAMS,
        "Limits.MAX_PRIOR_PARAMS");
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) Args.positiveFloat32(name + "[" + i + "]", values[i]);
    }
    return out;
  }

  /**
   * Requires the priors of a {@code height x width} level to stay within float32: the largest
   * base-prior coordinate plus the last cell's shift.
   *
   * @throws IllegalArgumentException naming the level's stride and size
   */
  static void float32Grid(float[] base, Stride stride, int height, int width) {
    double reach = 0;
    for (float v : base) {
      reach = Math.max(reach, Math.abs(v));
    }
    reach += Math.max(Math.max(width - 1, 0) * (double) (float) stride.w(),
        Math.max(height - 1, 0) * (double) (float) stride.h());
    if (!(reach <= Float.MAX_VALUE)) {
      throw new IllegalArgumentException("featmap_size (" + height + ", " + width + ") at stride " + stride
          + " puts priors beyond the float32 range (" + reach + " > " + Float.MAX_VALUE + ")");
    }
  }

  /**
   * Requires finite base priors, which parameters that are each representable can still overflow
   * together (a scale of 1e30 times a base size of 1e10).
   *
   * @throws IllegalArgumentException naming the level and the bad coordinate
   */
  static void finiteBase(float[] base, int level) {
    for (int i = 0; i < base.length; i++) {
      if (!Float.isFinite(base[i])) {
        throw new IllegalArgumentException("base priors of level " + level + " overflow float32 (coordinate " + i
            + " is " + base[i] + "): base_sizes, scales and ratios multiply beyond " + Float.MAX_VALUE);
      }
    }
  }

  /** @throws IllegalArgumentException unless {@code featmapSize} is {@code (h, w)} with h, w &gt; 0 */
  static void sparseSize(int[] featmapSize) {
    if (featmapSize == null || featmapSize.length != 2 || featmapSize[0] <= 0 || featmapSize[1] <= 0) {
      throw new IllegalArgumentException("featmap_size for sparse priors must be (h, w) with h, w > 0; got "
          + (featmapSize == null ? "null" : Arrays.toString(featmapSize)));
    }
  }
}
