package io.detkit.core.anchor;

import io.detkit.core.precision.Precision;

/**
 * Base anchors shifted to every cell of a feature map (MMDetection's {@code single_level_grid_priors}
 * and {@code sparse_priors}): the anchor {@code k} of cell {@code (y, x)} is base anchor {@code k}
 * plus {@code (x * stride_w, y * stride_h)}, cells in row-major order, anchors fastest.
 *
 * <p>One kernel for both precisions, over doubles with a {@link Precision}: torch adds the shifts in
 * float32 for float32 priors and in float64 for float64 ones, and rounding every operation's result
 * to {@code p} reproduces each bit for bit (a float32 sum or product computed in double and rounded
 * once is the float32 operation's result).
 */
final class AnchorShifts {
  private AnchorShifts() {}

  /**
   * The grid of {@code n = height * width * A} anchors, flat {@code 4 * n}, every value of
   * precision {@code p}: in float32 the stride is rounded to float32 and the shifts multiplied and
   * added in float32; in float64 the float32 base anchors are widened and float64 shifts added.
   */
  static double[] grid(float[] base, Stride s, int height, int width, int n, Precision p) {
    int a = base.length / 4;
    double sw = p.round(s.w());
    double sh = p.round(s.h());
    double[] out = new double[4 * n];
    int o = 0;
    for (int y = 0; y < height; y++) {
      double shiftY = p.round(y * sh);
      for (int x = 0; x < width; x++) {
        double shiftX = p.round(x * sw);
        for (int k = 0; k < 4 * a; k += 4) {
          out[o++] = p.round(base[k] + shiftX);
          out[o++] = p.round(base[k + 1] + shiftY);
          out[o++] = p.round(base[k + 2] + shiftX);
          out[o++] = p.round(base[k + 3] + shiftY);
        }
      }
    }
    return out;
  }

  /**
   * The anchors at flat grid indices {@code priorIdxs} of a {@code featmapSize = (h, w)} map, flat
   * {@code 4 * k}, every value of precision {@code p} (in float32 the float64 shift is rounded, then
   * added in float32).
   */
  static double[] sparse(float[] base, Stride s, long[] priorIdxs, int[] featmapSize, Precision p) {
    int a = base.length / 4;
    int height = featmapSize[0];
    int width = featmapSize[1];
    double[] out = new double[4 * priorIdxs.length];
    for (int i = 0; i < priorIdxs.length; i++) {
      // Floor division and modulo as torch's // and % on int64 tensors.
      long cell = Math.floorDiv(priorIdxs[i], (long) a);
      int k = 4 * (int) Math.floorMod(priorIdxs[i], (long) a);
      long x = Math.floorMod(cell, (long) width);
      long y = Math.floorMod(Math.floorDiv(cell, (long) width), (long) height);
      for (int j = 0; j < 4; j++) {
        double shift = (j % 2 == 0) ? x * s.w() : y * s.h();
        out[4 * i + j] = p.round(base[k + j] + p.round(shift));
      }
    }
    return out;
  }
}
