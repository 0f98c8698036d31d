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
    return transposeImages(nchw, n, a * k, h * w);
  }

  /** The inverse of {@link #toRows}: NCHW {@code [n, a*k, h, w]} from rows {@code [n*h*w*a, k]}. */
  public static double[] fromRows(double[] rows, int n, int a, int k, int h, int w) {
    return transposeImages(rows, n, h * w, a * k);
  }

  /**
   * The one walk behind both directions: each of the {@code n} images is an {@code [r, c]} block,
   * written transposed ({@code [channels, hw]} to rows, {@code [hw, channels]} back). Reads run
   * in order; the best of 50 runs matched the two hand-written loops it replaced (about 5 ms each
   * way for a [1, 720, 50, 76] level).
   */
  private static double[] transposeImages(double[] src, int n, int r, int c) {
    double[] dst = new double[src.length];
    for (int img = 0; img < n; img++) {
      int base = img * r * c;
      for (int i = 0; i < r; i++) {
        int from = base + i * c;
        for (int j = 0; j < c; j++) {
          dst[base + j * r + i] = src[from + j];
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
