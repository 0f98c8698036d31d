package io.detkit.core.bbox;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;

/**
 * Pairwise and aligned box overlaps on primitive arrays, the loops behind {@code bbox_overlaps}
 * and the assigners. Boxes are {@code (x1, y1, x2, y2)} rows packed in a flat array
 * ({@code 4*i+k}).
 *
 * <p>One kernel serves every precision: each pair is {@link PairOverlap#pair}, computed on doubles
 * and rounded to a {@link Precision} after each operation in torch's order, so float32 results match
 * MMDetection's PyTorch code bit for bit and threshold comparisons and ties in the assigners come out
 * the same. The {@code float[]} methods read float32 data in place and run {@link PairOverlap#pairF32},
 * the float32 instance of the same formula in float arithmetic (pinned bit for bit to {@code pair} by
 * {@code PairOverlapTest}): no widened copy of the boxes, which cost the all-pairs loop about a fifth
 * of its time at 20 ground truths.
 *
 * <p>The public methods check their arguments in constant time and throw
 * {@link IllegalArgumentException} for a null argument, a box array whose length is not a multiple
 * of 4, a row range outside {@code [0, n]}, an {@code out} array too short, arrays of different
 * lengths where pairs are aligned, or an {@code eps} that is negative or not finite. They do not
 * scan the coordinates: a NaN coordinate gives NaN overlaps for its pairs, so callers that take
 * user input ({@link BboxOverlaps}, the assigners) check finiteness first.
 *
 * <p>Coordinates so large that an area, a union or an enclosing area would overflow the precision
 * (beyond {@link #SAFE_F32} or {@link #SAFE_F64}) are computed pair by pair on boxes scaled by a
 * power of two ({@link PairOverlap#scaledPair}); one pass over the coordinates decides.
 */
public final class OverlapKernels {
  /** All-pairs problems of at least this many pairs run in column blocks on the common pool. */
  static final long PARALLEL_PAIRS = 1L << 18;
  /** Columns (second boxes) a parallel block covers. */
  static final int COLUMN_BLOCK = 8192;
  /**
   * Coordinates of at most this magnitude keep every width (2^63), area (2^126), sum of two areas
   * and enclosing area finite in float32; larger ones take the scaled path (here and in NMS).
   */
  public static final double SAFE_F32 = PairOverlap.SAFE_F32;
  /** The float64 counterpart of {@link #SAFE_F32}. */
  public static final double SAFE_F64 = PairOverlap.SAFE_F64;

  private OverlapKernels() {}

  private static int matrixSize(int n, int m) {
    long size = (long) n * m;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("an " + n + " x " + m + " overlap matrix does not fit one array; use the"
          + " row-range form");
    }
    return (int) size;
  }

  /** O(1) checks of a pairwise call: rows {@code [rowStart, rowEnd)} of a against all of b. */
  private static void checkPairwise(int aLength, int rowStart, int rowEnd, int bLength, OverlapMode mode, double eps,
      int outLength) {
    int n = OverlapRows.boxes(aLength, "a");
    int m = OverlapRows.boxes(bLength, "b");
    OverlapRows.checkCommon(mode, eps);
    if (rowStart < 0 || rowStart > rowEnd || rowEnd > n) {
      throw new IllegalArgumentException("rows [rowStart, rowEnd) must lie in [0, " + n + "]; got [" + rowStart
          + ", " + rowEnd + ")");
    }
    if ((long) (rowEnd - rowStart) * m > outLength) {
      throw new IllegalArgumentException("out must hold (rowEnd - rowStart) * m = " + (long) (rowEnd - rowStart) * m
          + " values; got " + outLength);
    }
  }

  /** O(1) checks of an aligned call. */
  private static void checkAligned(int aLength, int bLength, OverlapMode mode, double eps, int outLength) {
    int n = OverlapRows.boxes(aLength, "a");
    if (bLength != aLength) {
      throw new IllegalArgumentException("b must hold as many values as a (" + aLength + ") for aligned pairs; got "
          + bLength);
    }
    OverlapRows.checkCommon(mode, eps);
    if (n > outLength) {
      throw new IllegalArgumentException("out must hold n = " + n + " values; got " + outLength);
    }
  }

  // ---------------------------------------------------------------- the kernel, any precision

  /**
   * Overlaps of rows {@code [rowStart, rowEnd)} of {@code a} with every box of {@code b} in
   * precision {@code p}, written to {@code out[(i - rowStart) * m + j]}; inputs must be
   * representable in {@code p}, {@code eps} is rounded to it.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, OverlapMode mode, double eps,
      Precision p, double[] out) {
    checkPairwise(Tensors.requireNonNull(a, "a").length, rowStart, rowEnd, Tensors.requireNonNull(b, "b").length,
        mode, eps, Tensors.requireNonNull(out, "out").length);
    double safe = PairOverlap.safeBound(p);
    boolean scaled = !(PairOverlap.maxAbs(a, 4 * rowStart, 4 * rowEnd) <= safe
        && PairOverlap.maxAbs(b, 0, b.length) <= safe);
    fill(OverlapRows.of(a, b, mode, eps, p, scaled), rowStart, rowEnd, out);
  }

  /**
   * Fills {@code out[(i - rowStart) * m + j]} from {@code rows} in column blocks (in parallel for
   * large problems); the arguments are checked by the caller.
   */
  static void fill(OverlapRows rows, int rowStart, int rowEnd, double[] out) {
    fill(rows.cols(), rowStart, rowEnd, (i, j0, j1, off) -> rows.row(i, j0, j1, out, off));
  }

  /** {@link #fill(OverlapRows, int, int, double[])} into float32 values ({@link OverlapRows#rowF32}). */
  static void fill(OverlapRows rows, int rowStart, int rowEnd, float[] out) {
    fill(rows.cols(), rowStart, rowEnd, (i, j0, j1, off) -> rows.rowF32(i, j0, j1, out, off));
  }

  /** Columns {@code [j0, j1)} of row {@code i}, written from {@code off} of the caller's output. */
  private interface RowSink {
    void row(int i, int j0, int j1, int off);
  }

  private static void fill(int m, int rowStart, int rowEnd, RowSink sink) {
    inColumnBlocks(rowEnd - rowStart, m, (j0, j1) -> {
      for (int i = rowStart; i < rowEnd; i++) {
        sink.row(i, j0, j1, (i - rowStart) * m + j0);
      }
    });
  }

  /**
   * Runs {@code range} over all columns, in column blocks on the common pool when the problem is
   * large. Every element is computed alone, so results do not depend on the split or the threads.
   */
  private static void inColumnBlocks(int rows, int m, ParallelBlocks.Range range) {
    ParallelBlocks.run(m, (long) rows * m, PARALLEL_PAIRS, COLUMN_BLOCK, range);
  }

  /**
   * Overlaps of aligned pairs in precision {@code p}: {@code out[i]} for {@code a}'s box i and
   * {@code b}'s box i, the operations of {@code bbox_overlaps(..., is_aligned=True)}.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static void aligned(double[] a, double[] b, OverlapMode mode, double eps, Precision p, double[] out) {
    checkAligned(Tensors.requireNonNull(a, "a").length, Tensors.requireNonNull(b, "b").length, mode, eps,
        Tensors.requireNonNull(out, "out").length);
    Tensors.requireNonNull(p, "precision");
    double e = p.round(eps);
    double safe = PairOverlap.safeBound(p);
    int n = a.length / 4;
    ParallelBlocks.run(n, n, OverlapGradKernels.PARALLEL_BOXES, OverlapGradKernels.BOX_BLOCK, (i0, i1) -> {
      // Checked block by block, while the block is in cache.
      boolean scaled = !(PairOverlap.maxAbs(a, 4 * i0, 4 * i1) <= safe
          && PairOverlap.maxAbs(b, 4 * i0, 4 * i1) <= safe);
      for (int i = i0; i < i1; i++) {
        out[i] = scaled
            ? PairOverlap.scaledPair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3],
                b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], mode, e, p)
            : PairOverlap.pair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3], PairOverlap.area(a, i, p),
                b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], PairOverlap.area(b, i, p), mode, e, p);
      }
    });
  }

  // ---------------------------------------------------------------- float64 and float32 adapters

  /** {@link #pairwise(double[], int, int, double[], OverlapMode, double, Precision, double[])} in float64. */
  public static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, OverlapMode mode, double eps,
      double[] out) {
    pairwise(a, rowStart, rowEnd, b, mode, eps, Precision.F64, out);
  }

  /**
   * The float64 pairwise overlaps for callers that already know whether some coordinate lies beyond
   * {@link #SAFE_F64} ({@code scaled}, from {@link #withinFastRange} over their inputs): no pass over
   * the boxes here, for the hot loops that call this many times on the same boxes.
   *
   * @param scaled true to compute every pair on scaled boxes (correct for any finite coordinates);
   *     false only when every coordinate is within {@link #SAFE_F64}
   */
  public static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, OverlapMode mode, double eps,
      double[] out, boolean scaled) {
    checkPairwise(Tensors.requireNonNull(a, "a").length, rowStart, rowEnd, Tensors.requireNonNull(b, "b").length,
        mode, eps, Tensors.requireNonNull(out, "out").length);
    fill(OverlapRows.of(a, b, mode, eps, Precision.F64, scaled), rowStart, rowEnd, out);
  }

  /**
   * Float32 overlaps of rows {@code [rowStart, rowEnd)} of {@code a} with every box of {@code b},
   * written to {@code out[(i - rowStart) * m + j]}.
   *
   * @param a first boxes, {@code 4*n} floats
   * @param b second boxes, {@code 4*m} floats
   * @param out at least {@code (rowEnd - rowStart) * m} floats
   * @throws IllegalArgumentException see the class comment
   */
  public static void pairwise(float[] a, int rowStart, int rowEnd, float[] b, OverlapMode mode, float eps,
      float[] out) {
    checkPairwise(Tensors.requireNonNull(a, "a").length, rowStart, rowEnd, Tensors.requireNonNull(b, "b").length,
        mode, eps, Tensors.requireNonNull(out, "out").length);
    pairwise(a, rowStart, rowEnd, b, mode, eps, out,
        !withinFastRange(a, 4 * rowStart, 4 * rowEnd) || !withinFastRange(b, 0, b.length));
  }

  /**
   * {@link #pairwise(float[], int, int, float[], OverlapMode, float, float[])} for callers that
   * already know whether some coordinate lies beyond {@link #SAFE_F32} (see
   * {@link #pairwise(double[], int, int, double[], OverlapMode, double, double[], boolean)}).
   */
  public static void pairwise(float[] a, int rowStart, int rowEnd, float[] b, OverlapMode mode, float eps,
      float[] out, boolean scaled) {
    checkPairwise(Tensors.requireNonNull(a, "a").length, rowStart, rowEnd, Tensors.requireNonNull(b, "b").length,
        mode, eps, Tensors.requireNonNull(out, "out").length);
    fill(OverlapRows.ofF32(a, b, mode, eps, scaled), rowStart, rowEnd, out);
  }

  /**
   * All pairs: a {@code n*m} float32 matrix, row-major.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static float[] pairwise(float[] a, float[] b, OverlapMode mode, float eps) {
    int n = OverlapRows.boxes(Tensors.requireNonNull(a, "a").length, "a");
    float[] out = new float[matrixSize(n, OverlapRows.boxes(Tensors.requireNonNull(b, "b").length, "b"))];
    pairwise(a, 0, n, b, mode, eps, out);
    return out;
  }

  /**
   * All pairs: a {@code n*m} float64 matrix, row-major.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static double[] pairwise(double[] a, double[] b, OverlapMode mode, double eps) {
    int n = OverlapRows.boxes(Tensors.requireNonNull(a, "a").length, "a");
    double[] out = new double[matrixSize(n, OverlapRows.boxes(Tensors.requireNonNull(b, "b").length, "b"))];
    pairwise(a, 0, n, b, mode, eps, out);
    return out;
  }

  /**
   * Float32 overlaps of aligned pairs: {@code out[i]} for {@code a}'s box i and {@code b}'s box i.
   *
   * @param a first boxes, {@code 4*n} floats
   * @param b second boxes, {@code 4*n} floats
   * @param out at least {@code n} floats
   * @throws IllegalArgumentException see the class comment
   */
  public static void aligned(float[] a, float[] b, OverlapMode mode, float eps, float[] out) {
    checkAligned(Tensors.requireNonNull(a, "a").length, Tensors.requireNonNull(b, "b").length, mode, eps,
        Tensors.requireNonNull(out, "out").length);
    int n = a.length / 4;
    ParallelBlocks.run(n, n, OverlapGradKernels.PARALLEL_BOXES, OverlapGradKernels.BOX_BLOCK, (i0, i1) -> {
      // Checked block by block, while the block is in cache; a huge pair takes the double path.
      boolean scaled = !(withinFastRange(a, 4 * i0, 4 * i1) && withinFastRange(b, 4 * i0, 4 * i1));
      for (int i = i0; i < i1; i++) {
        out[i] = scaled
            ? (float) PairOverlap.scaledPair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3],
                b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], mode, eps, Precision.F32)
            : PairOverlap.pairF32(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3], PairOverlap.areaF32(a, i),
                b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], PairOverlap.areaF32(b, i), mode, eps);
      }
    });
  }

  /** {@link #aligned(double[], double[], OverlapMode, double, Precision, double[])} in float64. */
  public static void aligned(double[] a, double[] b, OverlapMode mode, double eps, double[] out) {
    aligned(a, b, mode, eps, Precision.F64, out);
  }

  /**
   * Aligned pairs: {@code n} floats.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static float[] aligned(float[] a, float[] b, OverlapMode mode, float eps) {
    float[] out = new float[OverlapRows.boxes(Tensors.requireNonNull(a, "a").length, "a")];
    aligned(a, b, mode, eps, out);
    return out;
  }

  /**
   * Aligned pairs: {@code n} doubles.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static double[] aligned(double[] a, double[] b, OverlapMode mode, double eps) {
    double[] out = new double[OverlapRows.boxes(Tensors.requireNonNull(a, "a").length, "a")];
    aligned(a, b, mode, eps, out);
    return out;
  }

  // ---------------------------------------------------------------- range

  /**
   * Whether every value of {@code boxes} is within {@link #SAFE_F32} in magnitude (false for NaN and
   * the infinities): then the fast loops compute every overlap without overflow. One pass; callers
   * that check finiteness anyway can use it as that check's fast path.
   */
  public static boolean withinFastRange(float[] boxes) {
    return withinFastRange(Tensors.requireNonNull(boxes, "boxes"), 0, boxes.length);
  }

  /** The float64 counterpart of {@link #withinFastRange(float[])}, against {@link #SAFE_F64}. */
  public static boolean withinFastRange(double[] boxes) {
    return withinFastRange(boxes, Precision.F64);
  }

  /**
   * {@link #withinFastRange(double[])} against {@link #SAFE_F32} when {@code float32} (float32
   * values held in doubles), else against {@link #SAFE_F64}.
   */
  public static boolean withinFastRange(double[] boxes, boolean float32) {
    return withinFastRange(boxes, Precision.of(float32));
  }

  /** {@link #withinFastRange(double[])} against the bound of precision {@code p}. */
  public static boolean withinFastRange(double[] boxes, Precision p) {
    return PairOverlap.maxAbs(Tensors.requireNonNull(boxes, "boxes"), 0, boxes.length) <= PairOverlap.safeBound(p);
  }

  private static boolean withinFastRange(float[] v, int from, int to) {
    float m = 0;
    for (int i = from; i < to; i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m <= SAFE_F32;
  }

  /**
   * The power of two {@code e} such that the pair of boxes scaled by {@code 2^-e} has no coordinate
   * beyond {@link #SAFE_F32} ({@code float32}) or {@link #SAFE_F64}; 0 when none is. Scaling by it
   * is exact, and every overlap is unchanged by it.
   */
  public static int scaleExponent(double ax1, double ay1, double ax2, double ay2, double bx1, double by1,
      double bx2, double by2, boolean float32) {
    return PairOverlap.scaleExponent(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2, float32);
  }
}
