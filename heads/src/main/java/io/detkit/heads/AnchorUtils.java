package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;

/**
 * MMDetection's anchor helpers that heads share ({@code anchor_inside_flags}, {@code unmap},
 * {@code get_num_level_anchors_inside}), on flat primitive arrays. Anchors are (x1, y1, x2, y2)
 * rows packed 4 values per anchor ({@code 4*i+k}).
 *
 * <p>Every method throws {@link IllegalArgumentException} for a null argument or lengths that do
 * not fit together, naming the argument.
 */
public final class AnchorUtils {
  private AnchorUtils() {}

  /**
   * Which anchors take part in training: valid ones that, when {@code allowedBorder >= 0}, also
   * satisfy {@code x1 >= -b}, {@code y1 >= -b}, {@code x2 < img_w + b}, {@code y2 < img_h + b}
   * with {@code b = allowedBorder} and (img_h, img_w) from {@code img_shape}. A negative border
   * keeps every valid anchor.
   *
   * @param flatAnchors {@code 4*T} finite coordinates
   * @param validFlags {@code T} flags
   * @return {@code T} flags (a new array)
   * @throws IllegalArgumentException if the flag count does not match the anchor count, an anchor
   *     coordinate is not finite, or an argument is null
   */
  public static boolean[] insideFlags(double[] flatAnchors, boolean[] validFlags, ImageMeta meta, int allowedBorder) {
    Tensors.requireNonNull(flatAnchors, "flat_anchors");
    Tensors.requireNonNull(validFlags, "valid_flags");
    Tensors.requireNonNull(meta, "img_meta");
    Tensors.requireFinite(flatAnchors, "flat_anchors");
    if (flatAnchors.length != validFlags.length * 4) {
      throw new IllegalArgumentException("valid_flags must hold one valid flag per anchor of flat_anchors ("
          + flatAnchors.length / 4 + "); got " + validFlags.length);
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

  /**
   * How many flags are set in each level's slice ({@code get_num_level_anchors_inside}).
   *
   * @param numLevelAnchors anchors per level, each &gt;= 0
   * @param insideFlags one flag per anchor, levels concatenated
   * @return one count per level
   * @throws IllegalArgumentException if a count is negative, the counts do not add up to the number
   *     of flags, or an argument is null
   */
  public static int[] numLevelInside(int[] numLevelAnchors, boolean[] insideFlags) {
    Tensors.requireNonNull(numLevelAnchors, "num_level_anchors");
    Tensors.requireNonNull(insideFlags, "inside_flags");
    long sum = 0;
    for (int l = 0; l < numLevelAnchors.length; l++) {
      if (numLevelAnchors[l] < 0) {
        throw new IllegalArgumentException("num_level_anchors[" + l + "] must be >= 0; got " + numLevelAnchors[l]);
      }
      sum += numLevelAnchors[l];
    }
    if (sum != insideFlags.length) {
      throw new IllegalArgumentException("num_level_anchors " + Arrays.toString(numLevelAnchors) + " sum to " + sum
          + " but there are " + insideFlags.length + " inside_flags");
    }
    int[] out = new int[numLevelAnchors.length];
    int i = 0;
    for (int l = 0; l < numLevelAnchors.length; l++) {
      for (int k = 0; k < numLevelAnchors[l]; k++, i++) {
        out[l] += insideFlags[i] ? 1 : 0;
      }
    }
    return out;
  }

  /**
   * Flat indices of the set flags, in order.
   *
   * @throws IllegalArgumentException if {@code flags} is null
   */
  public static int[] indicesOf(boolean[] flags) {
    int[] out = new int[countSet(Tensors.requireNonNull(flags, "flags"))];
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
   *
   * @param data {@code width} values per inside anchor, in order
   * @param width values per anchor, &gt;= 1
   * @return {@code width * insideFlags.length} values
   * @throws IllegalArgumentException if {@code data} does not hold {@code width} values for every
   *     set flag, {@code width < 1}, or an argument is null
   */
  public static double[] unmap(double[] data, int width, boolean[] insideFlags, double fill) {
    Tensors.requireNonNull(data, "data");
    Tensors.requireNonNull(insideFlags, "inside_flags");
    if (width < 1) {
      throw new IllegalArgumentException("width must be >= 1; got " + width);
    }
    checkConsumed(countSet(insideFlags), data.length, width);
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

  /**
   * The anchors of the inside flags, every other anchor's four coordinates set to 0: the targets'
   * {@code anchors} of heads that decode against them (ATSS, GFL), i.e. {@code unmap} of the inside
   * anchors with fill 0, without gathering them first.
   *
   * @param flatAnchors four coordinates per anchor (not changed)
   * @return a new array of {@code 4 * insideFlags.length} values
   * @throws IllegalArgumentException if {@code flatAnchors} does not hold four values per flag, or an
   *     argument is null
   */
  public static double[] zeroOutside(double[] flatAnchors, boolean[] insideFlags) {
    Tensors.requireNonNull(flatAnchors, "flat_anchors");
    Tensors.requireNonNull(insideFlags, "inside_flags");
    if (flatAnchors.length != 4L * insideFlags.length) {
      throw new IllegalArgumentException("flat_anchors must hold 4 values per inside flag (" + 4L * insideFlags.length
          + "); got " + flatAnchors.length);
    }
    double[] out = flatAnchors.clone();
    for (int i = 0; i < insideFlags.length; i++) {
      if (!insideFlags[i]) {
        Arrays.fill(out, i * 4, i * 4 + 4, 0.0);
      }
    }
    return out;
  }

  /**
   * {@link #unmap(double[], int, boolean[], double)} for one int per anchor.
   *
   * @throws IllegalArgumentException if {@code data} does not hold one value per set flag, or an
   *     argument is null
   */
  public static int[] unmap(int[] data, boolean[] insideFlags, int fill) {
    Tensors.requireNonNull(data, "data");
    Tensors.requireNonNull(insideFlags, "inside_flags");
    checkConsumed(countSet(insideFlags), data.length, 1);
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

  static int countSet(boolean[] flags) {
    int n = 0;
    for (boolean f : flags) {
      n += f ? 1 : 0;
    }
    return n;
  }

  private static void checkConsumed(int inside, int given, int width) {
    if ((long) inside * width != given) {
      throw new IllegalArgumentException("data must hold one row per inside anchor (" + inside + "); got " + given
          + " values for rows of " + width);
    }
  }
}
