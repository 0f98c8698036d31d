package io.detkit.core.coder;

import io.detkit.core.precision.Precision;

/**
 * The border clip of decoded boxes, set up once per decode call for every coder: the image's
 * {@code max_shape} bounds rounded to the call's precision, or inactive when the coder does not clip
 * ({@code clip_border=False}) or no shape was given.
 *
 * @param active whether coordinates are clipped
 * @param maxW the bound of x coordinates ({@code max_shape[1]})
 * @param maxH the bound of y coordinates ({@code max_shape[0]})
 */
record ClipBounds(boolean active, double maxW, double maxH) {
  /** The bounds of a decode call: {@code maxShape} is {@code (h, w, ...)} or null. */
  static ClipBounds of(boolean clipBorder, int[] maxShape, boolean f32) {
    boolean clip = clipBorder && maxShape != null;
    return clip ? new ClipBounds(true, Precision.round(maxShape[1], f32), Precision.round(maxShape[0], f32))
        : new ClipBounds(false, 0, 0);
  }

  /** The bound of coordinate {@code j} of an {@code (x1, y1, x2, y2)} box: x for even {@code j}. */
  double bound(int j) {
    return j % 2 == 0 ? maxW : maxH;
  }

  /**
   * MMDetection's border clip of a decoded coordinate as two {@code torch.where} calls (the point
   * and TBLR coders): below 0 becomes 0, then above the bound becomes the bound. Unlike
   * {@code Math.max}, a -0.0 stays -0.0, as in torch. Nothing changes when inactive.
   *
   * @param box decoded {@code (x1, y1, x2, y2)}; {@code box[j]} is clipped in place
   * @return whether the value was inside {@code [0, bound]} (or the clip inactive), i.e. whether the
   *     gradient passes
   */
  boolean where(double[] box, int j) {
    if (!active) {
      return true;
    }
    double bound = bound(j);
    boolean passes = true;
    if (box[j] < 0) {
      box[j] = 0;
      passes = false;
    }
    if (box[j] > bound) {
      box[j] = bound;
      passes = false;
    }
    return passes;
  }
}
