package io.detkit.tools.model;

/**
 * TOOD's regression alignment: each of the four box channels {@code [N, 4, H, W]} (x1, y1, x2, y2
 * in stride units) is re-read at its own learned offset, a bilinear sample of that channel at
 * {@code (i + dy_c, j + dx_c)} with the offsets {@code [N, 8, H, W]} ordered {@code (dy_0, dx_0,
 * dy_1, dx_1, ...)}. This is what MMDetection computes with a 1x1 deformable convolution of unit
 * weight and one group per channel ({@code deform_sampling}); the same sampling rules apply: a
 * point at or beyond one pixel outside the map reads 0, and a corner outside the map counts as 0.
 *
 * <p>Where the sampled box is inverted ({@code x1 > x2} or {@code y1 > y2}) the location keeps the
 * unsampled box, as later MMDetection 2.x releases do (an inverted box would make the GIoU loss
 * negative); the gradient then flows to the unsampled box only.
 *
 * <p>Gradients: to the boxes, the bilinear weights scattered back to the four corners; to each
 * offset, the derivative of the bilinear interpolation along it (0 outside the map, as mmcv's
 * coordinate weight).
 */
final class DeformSampling extends HostVertex {
  private static final long serialVersionUID = 1L;

  /** Boxes {@code [N, 4, H, W]} and offsets {@code [N, 8, H, W]}. */
  DeformSampling() {
    super("4", "8");
  }

  /**
   * Bilinear interpolation in plane {@code base} (h x w) at (y, x), a corner outside the plane
   * counting as 0. With {@code g} null: the sample and its derivatives along y and x into
   * {@code r} (all 0 at or beyond one pixel outside the plane). Otherwise the backward of the
   * sample: {@code e} times each corner's weight added to {@code g} at that corner.
   */
  private static void bilinear(double[] v, double[] g, int base, int h, int w, double y, double x, double e,
      double[] r) {
    if (g == null) {
      r[0] = 0;
      r[1] = 0;
      r[2] = 0;
    }
    if (!(y > -1 && x > -1 && y < h && x < w)) {
      return;
    }
    int y0 = (int) Math.floor(y);
    int x0 = (int) Math.floor(x);
    double ly = y - y0;
    double lx = x - x0;
    double w00 = (1 - ly) * (1 - lx);
    double w01 = (1 - ly) * lx;
    double w10 = ly * (1 - lx);
    double w11 = ly * lx;
    if (g != null) {
      add(g, base, h, w, y0, x0, w00 * e);
      add(g, base, h, w, y0, x0 + 1, w01 * e);
      add(g, base, h, w, y0 + 1, x0, w10 * e);
      add(g, base, h, w, y0 + 1, x0 + 1, w11 * e);
      return;
    }
    double v00 = at(v, base, h, w, y0, x0);
    double v01 = at(v, base, h, w, y0, x0 + 1);
    double v10 = at(v, base, h, w, y0 + 1, x0);
    double v11 = at(v, base, h, w, y0 + 1, x0 + 1);
    r[0] = w00 * v00 + w01 * v01 + w10 * v10 + w11 * v11;
    r[1] = (1 - lx) * (v10 - v00) + lx * (v11 - v01);
    r[2] = (1 - ly) * (v01 - v00) + ly * (v11 - v10);
  }

  private static double at(double[] v, int base, int h, int w, int y, int x) {
    return y >= 0 && y < h && x >= 0 && x < w ? v[base + y * w + x] : 0;
  }

  private static void add(double[] g, int base, int h, int w, int y, int x, double e) {
    if (y >= 0 && y < h && x >= 0 && x < w) {
      g[base + y * w + x] += e;
    }
  }

  /**
   * Per location: the sampled value of each channel into {@code vals}, their derivatives along y
   * and x into {@code dy}/{@code dx}; returns whether the sampled box is valid.
   */
  private static boolean sampleLocation(double[] boxes, double[] offs, int img, int p, int h, int w, double[] vals,
      double[] dy, double[] dx) {
    int hw = h * w;
    double[] r = new double[3];
    for (int c = 0; c < 4; c++) {
      double y = p / w + offs[(img * 8 + 2 * c) * hw + p];
      double x = p % w + offs[(img * 8 + 2 * c + 1) * hw + p];
      bilinear(boxes, null, (img * 4 + c) * hw, h, w, y, x, 0, r);
      vals[c] = r[0];
      dy[c] = r[1];
      dx[c] = r[2];
    }
    return !(vals[0] > vals[2]) && !(vals[1] > vals[3]);
  }

  /** One walk over the locations. */
  @Override
  void pass(double[][] in, long[][] shapes, double[] out, double[] eps, double[][] grads) {
    Nchw s = Nchw.of(shapes[0]);
    int h = s.h();
    int w = s.w();
    int hw = s.hw();
    double[] vals = new double[4];
    double[] dy = new double[4];
    double[] dx = new double[4];
    for (int img = 0; img < s.n(); img++) {
      for (int p = 0; p < hw; p++) {
        boolean valid = sampleLocation(in[0], in[1], img, p, h, w, vals, dy, dx);
        for (int c = 0; c < 4; c++) {
          int i = (img * 4 + c) * hw + p;
          if (eps == null) {
            out[i] = valid ? vals[c] : in[0][i];
          } else if (!valid) {
            grads[0][i] += eps[i];
          } else {
            int oy = (img * 8 + 2 * c) * hw + p;
            int ox = oy + hw;
            bilinear(in[0], grads[0], (img * 4 + c) * hw, h, w, p / w + in[1][oy], p % w + in[1][ox], eps[i], null);
            grads[1][oy] = dy[c] * eps[i];
            grads[1][ox] = dx[c] * eps[i];
          }
        }
      }
    }
  }
}
