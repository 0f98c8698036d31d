package io.detkit.heads;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Index bookkeeping between NCHW head outputs and per-anchor rows, MMDetection's
 * {@code x.permute(0, 2, 3, 1).reshape(-1, k)}: row {@code (n*H + y)*W + x)*A + a} holds channels
 * {@code a*k .. a*k + k-1} of location (y, x) of image n. Within one image, the row index minus
 * {@code n*H*W*A} is the anchor index of that level.
 */
public final class Layout {
  private Layout() {}

  /**
   * Rows {@code [n*h*w*a, k]} of an NCHW array {@code [n, a*k, h, w]} in the same dtype: one
   * native strided copy (any order or view), straight from the array's buffer.
   */
  public static INDArray toRows(INDArray nchw, int a, int k) {
    long rows = nchw.size(0) * nchw.size(2) * nchw.size(3) * a;
    if (rows == 0) {
      return Nd4j.create(nchw.dataType(), rows, k);
    }
    return nchw.permute(0, 2, 3, 1).dup('c').reshape('c', rows, k);
  }

  /**
   * The inverse of {@link #toRows(INDArray, int, int)}: NCHW {@code [n, a*k, h, w]} from rows
   * {@code [n*h*w*a, k]} (any order), as a new C-order array of the rows' dtype.
   */
  public static INDArray fromRows(INDArray rows, int n, int a, int k, int h, int w) {
    if (rows.length() == 0) {
      return Nd4j.create(rows.dataType(), n, (long) a * k, h, w);
    }
    // Assigning into a permuted view of the C-order result measured about twice as fast as dup() of
    // the permuted rows (60 vs 110 ms for a [1, 720, 100, 152] float level on 2 cores).
    return fromRows(rows, Nd4j.createUninitialized(rows.dataType(), new long[] {n, (long) a * k, h, w}, 'c'));
  }

  /**
   * {@link #fromRows(INDArray, int, int, int, int, int)} written into {@code nchw} (a C-order
   * {@code [n, a*k, h, w]} array, e.g. a reused gradient buffer), which it returns.
   */
  public static INDArray fromRows(INDArray rows, INDArray nchw) {
    if (rows.length() != 0) {
      nchw.permute(0, 2, 3, 1).assign(rows.reshape('c', nchw.size(0), nchw.size(2), nchw.size(3), nchw.size(1)));
    }
    return nchw;
  }

  /**
   * Rows {@code [n*h*w*a, k]} from an NCHW array {@code [n, a*k, h, w]} (flat, C order).
   */
  public static double[] toRows(double[] nchw, int n, int a, int k, int h, int w) {
    return permute(nchw, n, a * k, h * w, true);
  }

  /** The inverse of {@link #toRows}: NCHW {@code [n, a*k, h, w]} from rows {@code [n*h*w*a, k]}. */
  public static double[] fromRows(double[] rows, int n, int a, int k, int h, int w) {
    return permute(rows, n, a * k, h * w, false);
  }

  /**
   * The one walk behind both directions: each image's {@code [channels, hw]} block against its
   * {@code [hw, channels]} block (channel {@code a*k + c} of location p is column c of row
   * {@code p*a + anchor}); {@code toRows} reads the NCHW side and writes the rows, else the reverse.
   */
  private static double[] permute(double[] src, int n, int channels, int hw, boolean toRows) {
    double[] dst = new double[src.length];
    for (int img = 0; img < n; img++) {
      int base = img * channels * hw;
      for (int ch = 0; ch < channels; ch++) {
        int plane = base + ch * hw;
        for (int p = 0; p < hw; p++) {
          int row = base + p * channels + ch;
          if (toRows) {
            dst[row] = src[plane + p];
          } else {
            dst[plane + p] = src[row];
          }
        }
      }
    }
    return dst;
  }

  /**
   * Flat C-order index in an NCHW array {@code [n, a*k, h, w]} (with {@code hw = h*w}) of column
   * {@code col} of row {@code row} of its {@link #toRows} layout.
   */
  public static int nchwIndex(int row, int col, int a, int k, int hw) {
    int perImage = hw * a;
    int img = row / perImage;
    int r = row - img * perImage;
    int p = r / a;
    int anchor = r - p * a;
    return ((img * a + anchor) * k + col) * hw + p;
  }
}
