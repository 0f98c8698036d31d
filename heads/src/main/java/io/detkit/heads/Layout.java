package io.detkit.heads;

/**
 * Index bookkeeping between NCHW head outputs and per-anchor rows, MMDetection's
 * {@code x.permute(0, 2, 3, 1).reshape(-1, k)}: row {@code (n*H + y)*W + x)*A + a} holds channels
 * {@code a*k .. a*k + k-1} of location (y, x) of image n. Within one image, the row index minus
 * {@code n*H*W*A} is the anchor index of that level.
 */
final class Layout {
  private Layout() {}

  /**
   * Rows {@code [n*h*w*a, k]} from an NCHW array {@code [n, a*k, h, w]} (flat, C order).
   */
  static double[] toRows(double[] nchw, int n, int a, int k, int h, int w) {
    double[] rows = new double[nchw.length];
    int hw = h * w;
    for (int img = 0; img < n; img++) {
      int srcImg = img * a * k * hw;
      int dstImg = img * hw * a * k;
      for (int ch = 0; ch < a * k; ch++) {
        int src = srcImg + ch * hw;
        for (int p = 0; p < hw; p++) {
          rows[dstImg + p * a * k + ch] = nchw[src + p];
        }
      }
    }
    return rows;
  }

  /** The inverse of {@link #toRows}: NCHW {@code [n, a*k, h, w]} from rows {@code [n*h*w*a, k]}. */
  static double[] fromRows(double[] rows, int n, int a, int k, int h, int w) {
    double[] nchw = new double[rows.length];
    int hw = h * w;
    for (int img = 0; img < n; img++) {
      int dstImg = img * a * k * hw;
      int srcImg = img * hw * a * k;
      for (int ch = 0; ch < a * k; ch++) {
        int dst = dstImg + ch * hw;
        for (int p = 0; p < hw; p++) {
          nchw[dst + p] = rows[srcImg + p * a * k + ch];
        }
      }
    }
    return nchw;
  }
}
