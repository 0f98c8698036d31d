package io.detkit.core.anchor;

/**
 * Base anchors shifted to every cell of a feature map (MMDetection's {@code single_level_grid_priors}
 * and {@code sparse_priors}): the anchor {@code k} of cell {@code (y, x)} is base anchor {@code k}
 * plus {@code (x * stride_w, y * stride_h)}, cells in row-major order, anchors fastest.
 *
 * <p>The float32 and float64 grids are two loops on purpose: torch adds the shifts in float32 for
 * float32 priors and in float64 for float64 ones, and each loop reproduces one of them bit for bit.
 */
final class AnchorShifts {
  private AnchorShifts() {}

  /** The float32 grid: {@code n = height * width * A} anchors, shifts multiplied and added in float32. */
  static float[] gridFloat(float[] base, Stride s, int height, int width, int n) {
    int a = base.length / 4;
    float sw = (float) s.w();
    float sh = (float) s.h();
    float[] out = new float[4 * n];
    int o = 0;
    for (int y = 0; y < height; y++) {
      float shiftY = y * sh;
      for (int x = 0; x < width; x++) {
        float shiftX = x * sw;
        for (int k = 0; k < 4 * a; k += 4) {
          out[o++] = base[k] + shiftX;
          out[o++] = base[k + 1] + shiftY;
          out[o++] = base[k + 2] + shiftX;
          out[o++] = base[k + 3] + shiftY;
        }
      }
    }
    return out;
  }

  /** The float64 grid: the float32 base anchors widened, float64 shifts added. */
  static double[] gridDouble(float[] base, Stride s, int height, int width, int n) {
    int a = base.length / 4;
    double[] out = new double[4 * n];
    int o = 0;
    for (int y = 0; y < height; y++) {
      double shiftY = y * s.h();
      for (int x = 0; x < width; x++) {
        double shiftX = x * s.w();
        for (int k = 0; k < 4 * a; k += 4) {
          out[o++] = base[k] + shiftX;
          out[o++] = base[k + 1] + shiftY;
          out[o++] = base[k + 2] + shiftX;
          out[o++] = base[k + 3] + shiftY;
        }
      }
    }
    return out;
  }

  /**
   * The anchors at flat grid indices {@code priorIdxs} of a {@code featmapSize = (h, w)} map, flat
   * {@code 4 * k}; float32 sums (as doubles) unless {@code dbl}.
   */
  static double[] sparse(float[] base, Stride s, long[] priorIdxs, int[] featmapSize, boolean dbl) {
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
        out[4 * i + j] = dbl ? base[k + j] + shift : (double) (base[k + j] + (float) shift);
      }
    }
    return out;
  }
}
