package io.detkit.heads;

import java.util.Arrays;

/**
 * MMDetection's anchor helpers that heads share ({@code anchor_inside_flags}, {@code unmap},
 * {@code get_num_level_anchors_inside}), on flat primitive arrays. Anchors are (x1, y1, x2, y2)
 * rows packed 4 values per anchor.
 */
public final class AnchorUtils {
  private AnchorUtils() {}

  /**
   * Which anchors take part in training: valid ones that, when {@code allowedBorder >= 0}, also
   * satisfy {@code x1 >= -b}, {@code y1 >= -b}, {@code x2 < img_w + b}, {@code y2 < img_h + b}
   * with {@code b = allowedBorder} and (img_h, img_w) from {@code img_shape}. A negative border
   * keeps every valid anchor.
   *
   * @throws IllegalArgumentException if the flag count does not match the anchor count
   */
  public static boolean[] insideFlags(double[] flatAnchors, boolean[] validFlags, ImageMeta meta, int allowedBorder) {
    if (flatAnchors.length != validFlags.length * 4) {
      throw new IllegalArgumentException("need one valid flag per anchor (" + flatAnchors.length / 4 + "); got "
          + validFlags.length);
    }
    boolean[] inside = validFlags.clone();
    if (allowedBorder < 0) {
      return inside;
    }
    double b = allowedBorder;
    double w = meta.imgWidth();
    double h = meta.imgHeight();
    for (int i = 0; i < inside.length; i++) {
      int o = i * 4;
      inside[i] &= flatAnchors[o] >= -b && flatAnchors[o + 1] >= -b && flatAnchors[o + 2] < w + b
          && flatAnchors[o + 3] < h + b;
    }
    return inside;
  }

  /** How many flags are set in each level's slice ({@code get_num_level_anchors_inside}). */
  public static int[] numLevelInside(int[] numLevelAnchors, boolean[] insideFlags) {
    int[] out = new int[numLevelAnchors.length];
    int i = 0;
    for (int l = 0; l < numLevelAnchors.length; l++) {
      for (int k = 0; k < numLevelAnchors[l]; k++, i++) {
        out[l] += insideFlags[i] ? 1 : 0;
      }
    }
    if (i != insideFlags.length) {
      throw new IllegalArgumentException("num_level_anchors " + Arrays.toString(numLevelAnchors) + " sum to " + i
          + " but there are " + insideFlags.length + " flags");
    }
    return out;
  }

  /** Flat indices of the set flags, in order. */
  public static int[] indicesOf(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      n += f ? 1 : 0;
    }
    int[] out = new int[n];
    int k = 0;
    for (int i = 0; i < flags.length; i++) {
      if (flags[i]) {
        out[k++] = i;
      }
    }
    return out;
  }

  /**
   * Spreads {@code width} values per inside anchor back over all anchors ({@code unmap}): anchors
   * that are not inside get {@code fill}.
   */
  public static double[] unmap(double[] data, int width, boolean[] insideFlags, double fill) {
    checkConsumed(countSet(insideFlags), data.length / width);
    double[] out = new double[insideFlags.length * width];
    if (fill != 0) {
      Arrays.fill(out, fill);
    }
    int k = 0;
    for (int i = 0; i < insideFlags.length; i++) {
      if (insideFlags[i]) {
        System.arraycopy(data, k * width, out, i * width, width);
        k++;
      }
    }
    return out;
  }

  /** {@link #unmap(double[], int, boolean[], double)} for one int per anchor. */
  public static int[] unmap(int[] data, boolean[] insideFlags, int fill) {
    checkConsumed(countSet(insideFlags), data.length);
    int[] out = new int[insideFlags.length];
    Arrays.fill(out, fill);
    int k = 0;
    for (int i = 0; i < insideFlags.length; i++) {
      if (insideFlags[i]) {
        out[i] = data[k++];
      }
    }
    return out;
  }

  private static int countSet(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      n += f ? 1 : 0;
    }
    return n;
  }

  private static void checkConsumed(int used, int given) {
    if (used != given) {
      throw new IllegalArgumentException("unmap needs one row per inside anchor (" + used + "); got " + given);
    }
  }
}
