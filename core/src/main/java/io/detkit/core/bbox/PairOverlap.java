package io.detkit.core.bbox;

import io.detkit.core.precision.Precision;

/**
 * The overlap of one pair of boxes, written once for every precision and every caller: the pairwise
 * and aligned loops ({@link OverlapRows}, {@link OverlapKernels}), the float16 calculator and the
 * huge-box path all evaluate {@link #pair}.
 *
 * <p>Every intermediate is rounded to the {@link Precision} in torch's operation order, so a float32
 * run gives PyTorch's float32 bits (the double result of +, -, *, / rounded to float32 is the
 * float32 result) and a float64 run is plain double arithmetic. Degenerate boxes (x2 &lt; x1) are not
 * clamped in the area terms, as in MMDetection; {@code eps} bounds the union and the enclosing area
 * from below.
 *
 * <p>Huge boxes: coordinates beyond {@link #SAFE_F32} (float32) or {@link #SAFE_F64} would overflow
 * an area, a union or an enclosing area (MMDetection returns 0 or NaN there). {@link #scaledPair}
 * computes such a pair on boxes multiplied by a power of two, which is exact, and IoU, IoF and GIoU
 * are ratios of areas, so the result is the true overlap. Stateless and thread-safe.
 */
final class PairOverlap {
  /**
   * Coordinates of at most this magnitude keep every width (2^63), area (2^126), sum of two areas
   * and enclosing area finite in float32 (and float16 values never reach it).
   */
  static final double SAFE_F32 = 0x1p62;
  /** The float64 counterpart of {@link #SAFE_F32}. */
  static final double SAFE_F64 = 0x1p510;

  private PairOverlap() {}

  /** The largest coordinate magnitude the unscaled arithmetic of {@code p} handles. */
  static double safeBound(Precision p) {
    return p == Precision.F64 ? SAFE_F64 : SAFE_F32;
  }

  /**
   * {@code x} rounded to {@code p}: {@link Precision#round} with the common cases tested by
   * identity, which the JIT keeps in registers across the hot loops (an enum {@code switch} reloads
   * its lookup table on every call).
   */
  static double round(double x, Precision p) {
    if (p == Precision.F32) {
      return (float) x;
    }
    return p == Precision.F64 ? x : Precision.toHalf(x);
  }

  /** {@code (x2 - x1) * (y2 - y1)} of box {@code i} of a flat array, rounded to {@code p} after each operation. */
  static double area(double[] boxes, int i, Precision p) {
    return round(round(boxes[4 * i + 2] - boxes[4 * i], p) * round(boxes[4 * i + 3] - boxes[4 * i + 1], p), p);
  }

  /** {@link #area} in {@link Precision#F32}, in float arithmetic (the same bits). */
  static float areaF32(float[] boxes, int i) {
    return (boxes[4 * i + 2] - boxes[4 * i]) * (boxes[4 * i + 3] - boxes[4 * i + 1]);
  }

  /**
   * The overlap of one pair with every intermediate rounded to {@code p}; {@code area1} and
   * {@code area2} come from {@link #area}, {@code eps} must already be rounded to {@code p}.
   */
  static double pair(double ax1, double ay1, double ax2, double ay2, double area1, double bx1, double by1,
      double bx2, double by2, double area2, OverlapMode mode, double eps, Precision p) {
    double w = Math.max(round(Math.min(ax2, bx2) - Math.max(ax1, bx1), p), 0d);
    double h = Math.max(round(Math.min(ay2, by2) - Math.max(ay1, by1), p), 0d);
    double overlap = round(w * h, p);
    double union = mode == OverlapMode.IOF ? area1 : round(round(area1 + area2, p) - overlap, p);
    union = Math.max(union, eps);
    double iou = round(overlap / union, p);
    if (mode != OverlapMode.GIOU) {
      return iou;
    }
    double ew = Math.max(round(Math.max(ax2, bx2) - Math.min(ax1, bx1), p), 0d);
    double eh = Math.max(round(Math.max(ay2, by2) - Math.min(ay1, by1), p), 0d);
    double enclose = Math.max(round(ew * eh, p), eps);
    return round(iou - round(round(enclose - union, p) / enclose, p), p);
  }

  /**
   * {@link #pair} in {@link Precision#F32}, evaluated in Java's float arithmetic, which is IEEE
   * float32: the same operations in the same order, so the same bits ({@code PairOverlapTest} pins
   * it). It exists for speed alone: the all-pairs loop is the assigners' hot path, and there each
   * emulated rounding (a double-float-double round trip per operation) made it three times slower.
   */
  static float pairF32(float ax1, float ay1, float ax2, float ay2, float area1, float bx1, float by1, float bx2,
      float by2, float area2, OverlapMode mode, float eps) {
    float w = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0f);
    float h = Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0f);
    float overlap = w * h;
    float union = mode == OverlapMode.IOF ? area1 : area1 + area2 - overlap;
    union = Math.max(union, eps);
    float iou = overlap / union;
    if (mode != OverlapMode.GIOU) {
      return iou;
    }
    float ew = Math.max(Math.max(ax2, bx2) - Math.min(ax1, bx1), 0f);
    float eh = Math.max(Math.max(ay2, by2) - Math.min(ay1, by1), 0f);
    float enclose = Math.max(ew * eh, eps);
    return iou - (enclose - union) / enclose;
  }

  /**
   * The power of two {@code e} such that the pair of boxes scaled by {@code 2^-e} has no coordinate
   * beyond {@link #SAFE_F32} ({@code float32}) or {@link #SAFE_F64}; 0 when none is. Scaling by it
   * is exact, and every overlap is unchanged by it.
   */
  static int scaleExponent(double ax1, double ay1, double ax2, double ay2, double bx1, double by1,
      double bx2, double by2, boolean float32) {
    double safe = float32 ? SAFE_F32 : SAFE_F64;
    double big = Math.max(Math.max(Math.max(Math.abs(ax1), Math.abs(ay1)), Math.max(Math.abs(ax2), Math.abs(ay2))),
        Math.max(Math.max(Math.abs(bx1), Math.abs(by1)), Math.max(Math.abs(bx2), Math.abs(by2))));
    return big > safe ? Math.getExponent(big) - Math.getExponent(safe) + 1 : 0;
  }

  /**
   * {@link #pair} for boxes whose coordinates may be so large that an area overflows the precision
   * (a [0, 0, 1e38, 1e38] box in float32): both boxes are multiplied by the power of two that
   * brings their largest coordinate under {@link #safeBound}, which is exact, and {@code eps}, an
   * area, by its square; a pair that needs no scaling gets exactly {@link #pair}'s value.
   */
  static double scaledPair(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2,
      double by2, OverlapMode mode, double eps, Precision p) {
    int e = scaleExponent(ax1, ay1, ax2, ay2, bx1, by1, bx2, by2, p != Precision.F64);
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
    double area1 = round(round(ax2 - ax1, p) * round(ay2 - ay1, p), p);
    double area2 = round(round(bx2 - bx1, p) * round(by2 - by1, p), p);
    return pair(ax1, ay1, ax2, ay2, area1, bx1, by1, bx2, by2, area2, mode, es, p);
  }

  /** The largest magnitude among {@code v[from, to)} (NaN if one is NaN): one vectorizable pass. */
  static double maxAbs(double[] v, int from, int to) {
    double m = 0;
    for (int i = from; i < to; i++) {
      m = Math.max(m, Math.abs(v[i]));
    }
    return m;
  }
}
