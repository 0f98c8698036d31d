package io.detkit.core.bbox;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;

/**
 * Pairwise and aligned box overlaps on primitive arrays, the loops behind {@code bbox_overlaps}
 * and the assigners. Boxes are {@code (x1, y1, x2, y2)} rows packed in a flat array
 * ({@code 4*i+k}).
 *
 * <p>The float version performs the same float32 operations in the same order as MMDetection's
 * PyTorch code, so results match bit for bit and threshold comparisons and ties in the assigners
 * come out the same. Degenerate boxes (x2 &lt; x1) are not clamped in the area terms, as in
 * MMDetection; {@code eps} bounds the union and the enclosing area from below.
 *
 * <p>The public methods check their arguments in constant time and throw
 * {@link IllegalArgumentException} for a null argument, a box array whose length is not a multiple
 * of 4, a row range outside {@code [0, n]}, an {@code out} array too short, arrays of different
 * lengths where pairs are aligned, or an {@code eps} that is negative or not finite. They do not
 * scan the coordinates: a NaN coordinate gives NaN overlaps for its pairs, so callers that take
 * user input ({@link BboxOverlaps}, the assigners) check finiteness first.
 *
 * <p>Coordinates so large that an area, a union or an enclosing area would overflow the precision
 * (beyond {@link #SAFE_F32} or {@link #SAFE_F64}; MMDetection returns 0 or NaN there) are computed
 * pair by pair on boxes scaled by a power of two ({@link #scaledPair}): the overlap is a ratio of
 * areas, so the result is the true one. One pass over the coordinates decides; ordinary inputs run
 * the fast loops unchanged.
 *
 * <p>The float32 and float64 loops are deliberate copies: merging them through doubles with
 * rounding (as the {@link Precision} variants below do) would cost the hot assigner path speed,
 * and each must keep torch's operation order for its own precision.
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
  public static final double SAFE_F32 = 0x1p62;
  /** The float64 counterpart of {@link #SAFE_F32}. */
  public static final double SAFE_F64 = 0x1p510;

  private OverlapKernels() {}

  /** The number of boxes in a flat array of {@code length} values. */
  private static int boxes(int length, String name) {
    if (length % 4 != 0) {
      throw new IllegalArgumentException(name + " must hold 4 values per box (x1, y1, x2, y2); got " + length
          + " values");
    }
    return length / 4;
  }

  private static int matrixSize(int n, int m) {
    long size = (long) n * m;
    if (size > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("an " + n + " x " + m + " overlap matrix does not fit one array; use the"
          + " row-range form");
    }
    return (int) size;
  }

  private static void checkCommon(OverlapMode mode, double eps) {
    Tensors.requireNonNull(mode, "mode");
    if (!(eps >= 0) || !Double.isFinite(eps)) {
      throw new IllegalArgumentException("eps must be finite and >= 0; got " + eps);
    }
  }

  /** O(1) checks of a pairwise call: rows {@code [rowStart, rowEnd)} of a against all of b. */
  private static void checkPairwise(int aLength, int rowStart, int rowEnd, int bLength, OverlapMode mode, double eps,
      int outLength) {
    int n = boxes(aLength, "a");
    int m = boxes(bLength, "b");
    checkCommon(mode, eps);
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
    int n = boxes(aLength, "a");
    if (bLength != aLength) {
      throw new IllegalArgumentException("b must hold as many values as a (" + aLength + ") for aligned pairs; got "
          + bLength);
    }
    checkCommon(mode, eps);
    if (n > outLength) {
      throw new IllegalArgumentException("out must hold n = " + n + " values; got " + outLength);
    }
  }

  /**
   * Overlaps of rows {@code [rowStart, rowEnd)} of {@code a} with every box of {@code b}, written to
   * {@code out[(i - rowStart) * m + j]}.
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
   * {@link #pairwise(float[], int, int, float[], OverlapMode, float, float[])} for callers that already
   * know whether some coordinate lies beyond {@link #SAFE_F32} ({@code scaled}, from
   * {@link #withinFastRange} over their inputs): no pass over the boxes here, for the hot loops that
   * call this many times on the same boxes.
   *
   * @param scaled true to compute every pair on scaled boxes (correct for any finite coordinates);
   *     false only when every coordinate is within {@link #SAFE_F32}
   */
  public static void pairwise(float[] a, int rowStart, int rowEnd, float[] b, OverlapMode mode, float eps,
      float[] out, boolean scaled) {
    checkPairwise(Tensors.requireNonNull(a, "a").length, rowStart, rowEnd, Tensors.requireNonNull(b, "b").length,
        mode, eps, Tensors.requireNonNull(out, "out").length);
    int m = b.length / 4;
    if (scaled) {
      inColumnBlocks(rowEnd - rowStart, m, (j0, j1) -> {
        for (int i = rowStart; i < rowEnd; i++) {
          for (int j = j0; j < j1; j++) {
            out[(i - rowStart) * m + j] = (float) scaledPair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3],
                b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3], mode, eps, Precision.F32);
          }
        }
      });
      return;
    }
    float[] area2 = new float[m];
    for (int j = 0; j < m; j++) {
      area2[j] = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
    }
    inColumnBlocks(rowEnd - rowStart, m, (j0, j1) -> rowsF(a, rowStart, rowEnd, b, area2, mode, eps, out, j0, j1));
  }


  private static void rowsF(float[] a, int rowStart, int rowEnd, float[] b, float[] area2, OverlapMode mode, float eps,
      float[] out, int j0, int j1) {
    int m = area2.length;
    for (int i = rowStart; i < rowEnd; i++) {
      float ax1 = a[4 * i];
      float ay1 = a[4 * i + 1];
      float ax2 = a[4 * i + 2];
      float ay2 = a[4 * i + 3];
      float area1 = (ax2 - ax1) * (ay2 - ay1);
      int o = (i - rowStart) * m;
      for (int j = j0; j < j1; j++) {
        float bx1 = b[4 * j];
        float by1 = b[4 * j + 1];
        float bx2 = b[4 * j + 2];
        float by2 = b[4 * j + 3];
        float w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0f);
        float h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0f);
        float overlap = w * h;
        float union = mode == OverlapMode.IOF ? area1 : area1 + area2[j] - overlap;
        union = Math.max(union, eps);
        float iou = overlap / union;
        if (mode == OverlapMode.GIOU) {
          float ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0f);
          float eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0f);
          float enclose = Math.max(ew * eh, eps);
          iou = iou - (enclose - union) / enclose;
        }
        out[o + j] = iou;
      }
    }
  }

  /**
   * Runs {@code range} over all columns, in column blocks on the common pool when the problem is
   * large. Every element is computed alone, so results do not depend on the split or the threads.
   */
  private static void inColumnBlocks(int rows, int m, ParallelBlocks.Range range) {
    ParallelBlocks.run(m, (long) rows * m, PARALLEL_PAIRS, COLUMN_BLOCK, range);
  }

  /** Double-precision counterpart of {@link #pairwise(float[], int, int, float[], OverlapMode, float, float[])}. */
  public static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, OverlapMode mode, double eps,
      double[] out) {
    checkPairwise(Tensors.requireNonNull(a, "a").length, rowStart, rowEnd, Tensors.requireNonNull(b, "b").length,
        mode, eps, Tensors.requireNonNull(out, "out").length);
    pairwise(a, rowStart, rowEnd, b, mode, eps, out,
        !withinFastRange(a, 4 * rowStart, 4 * rowEnd) || !withinFastRange(b, 0, b.length));
  }

  /**
   * {@link #pairwise(double[], int, int, double[], OverlapMode, double, double[])} for callers that already
   * know whether some coordinate lies beyond {@link #SAFE_F64} ({@code scaled}, from
   * {@link #withinFastRange} over their inputs): no pass over the boxes here, for the hot loops that
   * call this many times on the same boxes.
   *
   * @param scaled true to compute every pair on scaled boxes (correct for any finite coordinates);
   *     false only when every coordinate is within {@link #SAFE_F64}
   */
  public static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, OverlapMode mode, double eps,
      double[] out, boolean scaled) {
    checkPairwise(Tensors.requireNonNull(a, "a").length, rowStart, rowEnd, Tensors.requireNonNull(b, "b").length,
        mode, eps, Tensors.requireNonNull(out, "out").length);
    int m = b.length / 4;
    if (scaled) {
      inColumnBlocks(rowEnd - rowStart, m, (j0, j1) -> {
        for (int i = rowStart; i < rowEnd; i++) {
          for (int j = j0; j < j1; j++) {
            out[(i - rowStart) * m + j] = scaledPair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3],
                b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3], mode, eps, Precision.F64);
          }
        }
      });
      return;
    }
    double[] area2 = new double[m];
    for (int j = 0; j < m; j++) {
      area2[j] = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
    }
    inColumnBlocks(rowEnd - rowStart, m, (j0, j1) -> rowsD(a, rowStart, rowEnd, b, area2, mode, eps, out, j0, j1));
  }


  private static void rowsD(double[] a, int rowStart, int rowEnd, double[] b, double[] area2, OverlapMode mode, double eps,
      double[] out, int j0, int j1) {
    int m = area2.length;
    for (int i = rowStart; i < rowEnd; i++) {
      double ax1 = a[4 * i];
      double ay1 = a[4 * i + 1];
      double ax2 = a[4 * i + 2];
      double ay2 = a[4 * i + 3];
      double area1 = (ax2 - ax1) * (ay2 - ay1);
      int o = (i - rowStart) * m;
      for (int j = j0; j < j1; j++) {
        double bx1 = b[4 * j];
        double by1 = b[4 * j + 1];
        double bx2 = b[4 * j + 2];
        double by2 = b[4 * j + 3];
        double w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0d);
        double h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0d);
        double overlap = w * h;
        double union = mode == OverlapMode.IOF ? area1 : area1 + area2[j] - overlap;
        union = Math.max(union, eps);
        double iou = overlap / union;
        if (mode == OverlapMode.GIOU) {
          double ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0d);
          double eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0d);
          double enclose = Math.max(ew * eh, eps);
          iou = iou - (enclose - union) / enclose;
        }
        out[o + j] = iou;
      }
    }
  }

  /**
   * All pairs: a {@code n*m} float matrix, row-major.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static float[] pairwise(float[] a, float[] b, OverlapMode mode, float eps) {
    int n = boxes(Tensors.requireNonNull(a, "a").length, "a");
    float[] out = new float[matrixSize(n, boxes(Tensors.requireNonNull(b, "b").length, "b"))];
    pairwise(a, 0, n, b, mode, eps, out);
    return out;
  }

  /**
   * All pairs: a {@code n*m} double matrix, row-major.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static double[] pairwise(double[] a, double[] b, OverlapMode mode, double eps) {
    int n = boxes(Tensors.requireNonNull(a, "a").length, "a");
    double[] out = new double[matrixSize(n, boxes(Tensors.requireNonNull(b, "b").length, "b"))];
    pairwise(a, 0, n, b, mode, eps, out);
    return out;
  }

  /**
   * Overlaps of aligned pairs: {@code out[i]} for {@code a}'s box i and {@code b}'s box i, the same
   * float32 operations as {@code bbox_overlaps(..., is_aligned=True)}.
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
      // Checked block by block, while the block is in cache.
      if (!(maxAbs(a, 4 * i0, 4 * i1) <= SAFE_F32 && maxAbs(b, 4 * i0, 4 * i1) <= SAFE_F32)) {
        for (int i = i0; i < i1; i++) {
          out[i] = (float) scaledPair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3],
              b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], mode, eps, Precision.F32);
        }
        return;
      }
      for (int i = i0; i < i1; i++) {
        float ax1 = a[4 * i];
        float ay1 = a[4 * i + 1];
        float ax2 = a[4 * i + 2];
        float ay2 = a[4 * i + 3];
        float bx1 = b[4 * i];
        float by1 = b[4 * i + 1];
        float bx2 = b[4 * i + 2];
        float by2 = b[4 * i + 3];
        float area1 = (ax2 - ax1) * (ay2 - ay1);
        float area2 = (bx2 - bx1) * (by2 - by1);
        float w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0f);
        float h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0f);
        float overlap = w * h;
        float union = mode == OverlapMode.IOF ? area1 : area1 + area2 - overlap;
        union = Math.max(union, eps);
        float iou = overlap / union;
        if (mode == OverlapMode.GIOU) {
          float ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0f);
          float eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0f);
          float enclose = Math.max(ew * eh, eps);
          iou = iou - (enclose - union) / enclose;
        }
        out[i] = iou;
      }
    });
  }

  /** Double-precision counterpart of {@link #aligned(float[], float[], OverlapMode, float, float[])}. */
  public static void aligned(double[] a, double[] b, OverlapMode mode, double eps, double[] out) {
    checkAligned(Tensors.requireNonNull(a, "a").length, Tensors.requireNonNull(b, "b").length, mode, eps,
        Tensors.requireNonNull(out, "out").length);
    int n = a.length / 4;
    ParallelBlocks.run(n, n, OverlapGradKernels.PARALLEL_BOXES, OverlapGradKernels.BOX_BLOCK, (i0, i1) -> {
      // Checked block by block, while the block is in cache.
      if (!(maxAbs(a, 4 * i0, 4 * i1) <= SAFE_F64 && maxAbs(b, 4 * i0, 4 * i1) <= SAFE_F64)) {
        for (int i = i0; i < i1; i++) {
          out[i] = scaledPair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3],
              b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], mode, eps, Precision.F64);
        }
        return;
      }
      for (int i = i0; i < i1; i++) {
        double ax1 = a[4 * i];
        double ay1 = a[4 * i + 1];
        double ax2 = a[4 * i + 2];
        double ay2 = a[4 * i + 3];
        double bx1 = b[4 * i];
        double by1 = b[4 * i + 1];
        double bx2 = b[4 * i + 2];
        double by2 = b[4 * i + 3];
        double area1 = (ax2 - ax1) * (ay2 - ay1);
        double area2 = (bx2 - bx1) * (by2 - by1);
        double w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0d);
        double h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0d);
        double overlap = w * h;
        double union = mode == OverlapMode.IOF ? area1 : area1 + area2 - overlap;
        union = Math.max(union, eps);
        double iou = overlap / union;
        if (mode == OverlapMode.GIOU) {
          double ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0d);
          double eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0d);
          double enclose = Math.max(ew * eh, eps);
          iou = iou - (enclose - union) / enclose;
        }
        out[i] = iou;
      }
    });
  }

  /**
   * Aligned pairs: {@code n} floats.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static float[] aligned(float[] a, float[] b, OverlapMode mode, float eps) {
    float[] out = new float[boxes(Tensors.requireNonNull(a, "a").length, "a")];
    aligned(a, b, mode, eps, out);
    return out;
  }

  /**
   * Aligned pairs: {@code n} doubles.
   *
   * @throws IllegalArgumentException see the class comment
   */
  public static double[] aligned(double[] a, double[] b, OverlapMode mode, double eps) {
    double[] out = new double[boxes(Tensors.requireNonNull(a, "a").length, "a")];
    aligned(a, b, mode, eps, out);
    return out;
  }

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
    return withinFastRange(Tensors.requireNonNull(boxes, "boxes"), 0, boxes.length);
  }

  /**
   * {@link #withinFastRange(double[])} against {@link #SAFE_F32} when {@code float32} (float32
   * values held in doubles), else against {@link #SAFE_F64}.
   */
  public static boolean withinFastRange(double[] boxes, boolean float32) {
    return maxAbs(Tensors.requireNonNull(boxes, "boxes"), 0, boxes.length) <= (float32 ? SAFE_F32 : SAFE_F64);
  }

  private static boolean withinFastRange(float[] v, int from, int to) {
    return maxAbs(v, from, to) <= SAFE_F32;
  }

  private static boolean withinFastRange(double[] v, int from, int to) {
    return maxAbs(v, from, to) <= SAFE_F64;
  }

  /** The largest magnitude among {@code v[from, to)} (NaN if one is NaN): one vectorizable pass. */
  private static double maxAbs(float[] v, int from, int to) {
    float m = 0;
    for (int i = from; i < to; i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m;
  }

  private static double maxAbs(double[] v, int from, int to) {
    double m = 0;
    for (int i = from; i < to; i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m;
  }

  /**
   * The power of two {@code e} such that the pair of boxes scaled by {@code 2^-e} has no coordinate
   * beyond {@link #SAFE_F32} ({@code float32}) or {@link #SAFE_F64}; 0 when none is. Scaling by it
   * is exact, and every overlap is unchanged by it.
   */
  public static int scaleExponent(double ax1, double ay1, double ax2, double ay2, double bx1, double by1,
      double bx2, double by2, boolean float32) {
    double safe = float32 ? SAFE_F32 : SAFE_F64;
    double big = Math.max(Math.max(Math.max(Math.abs(ax1), Math.abs(ay1)), Math.max(Math.abs(ax2), Math.abs(ay2))),
        Math.max(Math.max(Math.abs(bx1), Math.abs(by1)), Math.max(Math.abs(bx2), Math.abs(by2))));
    return big > safe ? Math.getExponent(big) - Math.getExponent(safe) + 1 : 0;
  }

  /**
   * The overlap of one pair whose coordinates may be so large that an area overflows the precision
   * (a [0, 0, 1e38, 1e38] box in float32): both boxes are multiplied by the power of two that
   * brings their largest coordinate under {@link #SAFE_F32} (or {@link #SAFE_F64}), which is exact,
   * and {@code eps}, an area, by its square. IoU, IoF and GIoU are ratios of areas, so the scale
   * cancels and the result is the exact-arithmetic overlap rounded as the fast loops round it;
   * a pair that needs no scaling gets exactly the fast loops' value.
   */
  static double scaledPair(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2,
      double by2, OverlapMode mode, double eps, Precision p) {
    int e = scaleExponent(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2, p == Precision.F32);
    double es = eps;
    if (e > 0) {
      ax1 = Math.scalb(ax1, -e);
      ay1 = Math.scalb(ay1, -e);
      ax2 = Math.scalb(ax2, -e);
      ay2 = Math.scalb(ay2, -e);
      bx1 = Math.scalb(bx1, -e);
      by1 = Math.scalb(by1, -e);
      bx2 = Math.scalb(bx2, -e);
      by2 = Math.scalb(by2, -e);
      // A positive eps that underflows would turn 0 / max(0, eps) into NaN; keep it positive.
      es = eps > 0 ? Math.max(Math.scalb(eps, -2 * e), Double.MIN_VALUE) : 0;
    }
    double area1 = p.round(p.round(ax2 - ax1) * p.round(ay2 - ay1));
    double area2 = p.round(p.round(bx2 - bx1) * p.round(by2 - by1));
    return pair(ax1, ay1, ax2, ay2, area1, bx1, by1, bx2, by2, area2, mode, es, p);
  }

  /**
   * The overlap of one pair with every intermediate rounded to {@code p}: the reference form of
   * the fast loops above, and the only form for float16, which Java has no arithmetic for.
   * {@code eps} must already be rounded to {@code p}.
   */
  static double pair(double ax1, double ay1, double ax2, double ay2, double area1, double bx1, double by1,
      double bx2, double by2, double area2, OverlapMode mode, double eps, Precision p) {
    double w = Math.max(p.round(Math.min(ax2, bx2) - Math.max(ax1, bx1)), 0d);
    double h = Math.max(p.round(Math.min(ay2, by2) - Math.max(ay1, by1)), 0d);
    double overlap = p.round(w * h);
    double union = mode == OverlapMode.IOF ? area1 : p.round(p.round(area1 + area2) - overlap);
    union = Math.max(union, eps);
    double iou = p.round(overlap / union);
    if (mode != OverlapMode.GIOU) {
      return iou;
    }
    double ew = Math.max(p.round(Math.max(ax2, bx2) - Math.min(ax1, bx1)), 0d);
    double eh = Math.max(p.round(Math.max(ay2, by2) - Math.min(ay1, by1)), 0d);
    double enclose = Math.max(p.round(ew * eh), eps);
    return p.round(iou - p.round(p.round(enclose - union) / enclose));
  }

  /** {@code (x2 - x1) * (y2 - y1)} of box {@code i}, rounded to {@code p} after each operation. */
  static double area(double[] boxes, int i, Precision p) {
    return p.round(p.round(boxes[4 * i + 2] - boxes[4 * i]) * p.round(boxes[4 * i + 3] - boxes[4 * i + 1]));
  }

  /**
   * Rounded-precision counterpart of {@link #pairwise(double[], int, int, double[], OverlapMode,
   * double, double[])}; inputs and {@code eps} must be representable in {@code p}.
   */
  static void pairwise(double[] a, int rowStart, int rowEnd, double[] b, OverlapMode mode, double eps, Precision p,
      double[] out) {
    int m = b.length / 4;
    double[] area2 = new double[m];
    for (int j = 0; j < m; j++) {
      area2[j] = area(b, j, p);
    }
    for (int i = rowStart; i < rowEnd; i++) {
      double area1 = area(a, i, p);
      int o = (i - rowStart) * m;
      for (int j = 0; j < m; j++) {
        out[o + j] = pair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3], area1,
            b[4 * j], b[4 * j + 1], b[4 * j + 2], b[4 * j + 3], area2[j], mode, eps, p);
      }
    }
  }

  /** Rounded-precision counterpart of {@link #aligned(double[], double[], OverlapMode, double, double[])}. */
  static void aligned(double[] a, double[] b, OverlapMode mode, double eps, Precision p, double[] out) {
    int n = a.length / 4;
    for (int i = 0; i < n; i++) {
      out[i] = pair(a[4 * i], a[4 * i + 1], a[4 * i + 2], a[4 * i + 3], area(a, i, p),
          b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3], area(b, i, p), mode, eps, p);
    }
  }
}
