package io.detkit.core.bbox;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;

/**
 * Pairwise overlaps prepared for row-by-row use: the second boxes' areas are computed once and the
 * huge-box decision is taken once, so a caller can reduce each row while it is in cache instead of
 * materialising the whole {@code n x m} matrix (the assigners' per-prior maxima, the ignore test).
 * {@code OverlapKernels.pairwise} fills whole matrices with it.
 *
 * <p>Boxes are flat {@code (x1, y1, x2, y2)} rows ({@code 4*i+k}) of doubles holding values of the
 * precision; every value is {@link PairOverlap#pair} in that precision, bit for bit what PyTorch's
 * {@code bbox_overlaps} gives in it. The arrays are not copied: callers must not change them while
 * the instance is in use. Immutable after construction, so {@link #row} may run on several threads
 * at once for disjoint destinations.
 */
public final class OverlapRows {
  /** The boxes as doubles; null for a float32 instance that needs no scaling ({@link #ofF32}). */
  private final double[] a;
  private final double[] b;
  private final double[] area2;
  private final int n;
  private final int m;
  private final OverlapMode mode;
  private final double eps;
  private final Precision p;
  private final boolean scaled;
  /**
   * Float32 boxes for {@link PairOverlap#pairF32}, when {@code p} is F32 and nothing needs scaling:
   * the caller's arrays themselves for {@link #ofF32}, narrowed copies for a double instance.
   */
  private final float[] aF;
  private final float[] bF;
  private final float[] area2F;

  private OverlapRows(double[] a, double[] b, OverlapMode mode, double eps, Precision p, boolean scaled) {
    this.a = a;
    this.b = b;
    this.n = a.length / 4;
    this.m = b.length / 4;
    this.mode = mode;
    this.eps = p.round(eps);
    this.p = p;
    this.scaled = scaled;
    area2 = new double[m];
    for (int j = 0; j < m; j++) {
      area2[j] = PairOverlap.area(b, j, p);
    }
    boolean floats = p == Precision.F32 && !scaled;
    aF = floats ? Tensors.narrow(a) : null;
    bF = floats ? Tensors.narrow(b) : null;
    area2F = floats ? Tensors.narrow(area2) : null;
  }

  /** A float32 instance over the caller's float arrays, without a copy (no scaling needed). */
  private OverlapRows(float[] a, float[] b, OverlapMode mode, float eps) {
    this.a = null;
    this.b = null;
    this.area2 = null;
    this.n = a.length / 4;
    this.m = b.length / 4;
    this.mode = mode;
    this.eps = eps;
    this.p = Precision.F32;
    this.scaled = false;
    aF = a;
    bF = b;
    area2F = new float[m];
    for (int j = 0; j < m; j++) {
      area2F[j] = PairOverlap.areaF32(b, j);
    }
  }

  /**
   * Overlaps of {@code a}'s boxes (rows) with {@code b}'s (columns).
   *
   * @param a first boxes, {@code 4*n} values representable in {@code p}
   * @param b second boxes, {@code 4*m} values representable in {@code p}
   * @param eps lower bound of the union and the enclosing area, rounded to {@code p} here
   * @throws IllegalArgumentException for a null argument, a length that is not a multiple of 4, or an
   *     eps that is negative or not finite; coordinates are not scanned for NaN (a NaN coordinate
   *     gives NaN overlaps for its pairs)
   */
  public static OverlapRows of(double[] a, double[] b, OverlapMode mode, double eps, Precision p) {
    checkArgs(a, b, mode, eps, p);
    double safe = PairOverlap.safeBound(p);
    boolean fast = PairOverlap.maxAbs(a, 0, a.length) <= safe && PairOverlap.maxAbs(b, 0, b.length) <= safe;
    return new OverlapRows(a, b, mode, eps, p, !fast);
  }

  /**
   * {@link #of} for a caller that already knows whether some coordinate lies beyond
   * {@code SAFE_F32} (float32, float16) or {@code SAFE_F64} (see {@code OverlapKernels}):
   * {@code scaled} true computes every pair on scaled boxes (right for any finite coordinates), false
   * is only allowed when every coordinate is within the bound.
   */
  static OverlapRows of(double[] a, double[] b, OverlapMode mode, double eps, Precision p, boolean scaled) {
    checkArgs(a, b, mode, eps, p);
    return new OverlapRows(a, b, mode, eps, p, scaled);
  }

  /**
   * Float32 overlaps of float boxes: the instance reads {@code a} and {@code b} in place (callers must
   * not change them while it is in use) and computes in float arithmetic ({@link PairOverlap#pairF32},
   * bit for bit {@link PairOverlap#pair} in F32). {@code scaled} as in {@link #of(double[], double[],
   * OverlapMode, double, Precision, boolean)}; a scaled instance works on widened copies.
   */
  static OverlapRows ofF32(float[] a, float[] b, OverlapMode mode, float eps, boolean scaled) {
    boxes(Tensors.requireNonNull(a, "a").length, "a");
    boxes(Tensors.requireNonNull(b, "b").length, "b");
    checkCommon(mode, eps);
    return scaled ? new OverlapRows(Tensors.widen(a), Tensors.widen(b), mode, eps, Precision.F32, true)
        : new OverlapRows(a, b, mode, eps);
  }

  /** Whether {@link #rowF32} runs the float32 loop (no double values in between). */
  boolean float32Rows() {
    return aF != null;
  }

  private static void checkArgs(double[] a, double[] b, OverlapMode mode, double eps, Precision p) {
    boxes(Tensors.requireNonNull(a, "a").length, "a");
    boxes(Tensors.requireNonNull(b, "b").length, "b");
    checkCommon(mode, eps);
    Tensors.requireNonNull(p, "precision");
  }

  /** The number of boxes in a flat array of {@code length} values. */
  static int boxes(int length, String name) {
    if (length % 4 != 0) {
      throw new IllegalArgumentException(name + " must hold 4 values per box (x1, y1, x2, y2); got " + length
          + " values");
    }
    return length / 4;
  }

  static void checkCommon(OverlapMode mode, double eps) {
    Tensors.requireNonNull(mode, "mode");
    if (!(eps >= 0) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("eps must be finite and >= 0; got " + eps);
    }
  }

  /** The number of first boxes. */
  public int rows() {
    return n;
  }

  /** The number of second boxes. */
  public int cols() {
    return m;
  }

  /**
   * Writes the overlaps of first box {@code i} with second boxes {@code [j0, j1)} to
   * {@code dst[off + j - j0]}.
   *
   * @throws IllegalArgumentException if {@code i} or the column range lies outside the boxes, or
   *     {@code dst} is too short (O(1) checks)
   */
  public void row(int i, int j0, int j1, double[] dst, int off) {
    if (i < 0 || i >= rows() || j0 < 0 || j0 > j1 || j1 > cols()) {
      throw new IllegalArgumentException("row " + i + ", columns [" + j0 + ", " + j1 + ") must lie within "
          + rows() + " x " + cols() + " boxes");
    }
    if (off < 0 || (long) off + (j1 - j0) > Tensors.requireNonNull(dst, "dst").length) {
      throw new IllegalArgumentException("dst must hold " + (j1 - j0) + " values from " + off + "; got length "
          + dst.length);
    }
    if (aF != null) {
      float[] boxF = {aF[4 * i], aF[4 * i + 1], aF[4 * i + 2], aF[4 * i + 3], area1F(i), (float) eps};
      for (int j = j0; j < j1; j++) {
        dst[off + j - j0] = pairF32(boxF, j);
      }
      return;
    }
    double ax1 = a[4 * i];
    double ay1 = a[4 * i + 1];
    double ax2 = a[4 * i + 2];
    double ay2 = a[4 * i + 3];
    if (scaled) {
      for (int j = j0; j < j1; j++) {
        dst[off + j - j0] = PairOverlap.scaledPair(ax1, ay1, ax2, ay2, b[4 * j], b[4 * j + 1], b[4 * j + 2],
            b[4 * j + 3], mode, eps, p);
      }
      return;
    }
    double area1 = PairOverlap.area(a, i, p);
    for (int j = j0; j < j1; j++) {
      dst[off + j - j0] = PairOverlap.pair(ax1, ay1, ax2, ay2, area1, b[4 * j], b[4 * j + 1], b[4 * j + 2],
          b[4 * j + 3], area2[j], mode, eps, p);
    }
  }

  /**
   * {@link #row} into float32 values, for the {@code float[]} adapters of a float32 instance (no
   * double buffer in between); checked by the caller.
   */
  void rowF32(int i, int j0, int j1, float[] dst, int off) {
    if (aF == null) {
      double[] tmp = new double[j1 - j0];
      row(i, j0, j1, tmp, 0);
      for (int j = 0; j < tmp.length; j++) {
        dst[off + j] = (float) tmp[j];
      }
      return;
    }
    // Box i, its area and eps in locals: dst is a float[] too, so the JIT could not hoist reads of aF.
    float ax1 = aF[4 * i];
    float ay1 = aF[4 * i + 1];
    float ax2 = aF[4 * i + 2];
    float ay2 = aF[4 * i + 3];
    float area1 = area1F(i);
    float eps32 = (float) eps;
    for (int j = j0; j < j1; j++) {
      dst[off + j - j0] = PairOverlap.pairF32(ax1, ay1, ax2, ay2, area1, bF[4 * j], bF[4 * j + 1], bF[4 * j + 2],
          bF[4 * j + 3], area2F[j], mode, eps32);
    }
  }

  private float pairF32(float[] boxF, int j) {
    return PairOverlap.pairF32(boxF[0], boxF[1], boxF[2], boxF[3], boxF[4], bF[4 * j], bF[4 * j + 1], bF[4 * j + 2],
        bF[4 * j + 3], area2F[j], mode, boxF[5]);
  }

  private float area1F(int i) {
    return PairOverlap.areaF32(aF, i);
  }
}
