package io.detkit.core.bbox;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Overlaps in float16 arithmetic, the calculator behind {@link BboxOverlaps2D}'s {@code dtype='fp16'}:
 * the shared overlap kernel in {@link Precision#F16}, plus the overflow checks float16 needs.
 */
final class HalfOverlaps {
  private HalfOverlaps() {}

  /**
   * Overlaps computed in float16 arithmetic, MMDetection's {@code BboxOverlaps2D(dtype='fp16')}:
   * both inputs divided by {@code scale} in their own dtype, rounded to float16, every operation
   * rounded to float16, the result returned as float32. Same checks as
   * {@link BboxOverlaps#bboxOverlaps}, and an area, a union or a GIoU enclosing area that overflows
   * float16 is rejected.
   */
  static INDArray bboxOverlapsHalf(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned,
      double scale, int chunkElements) {
    OverlapLayout l = OverlapLayout.check(bboxes1, "bboxes1", bboxes2, "bboxes2", mode, isAligned,
        BboxOverlaps.DEFAULT_EPS);
    if (l.isEmpty()) {
      return Nd4j.create(DataType.FLOAT, l.outShape());
    }
    Precision in = Precision.of(l.type);
    double[] a = Tensors.toDoubles(bboxes1);
    double[] b = Tensors.toDoubles(bboxes2);
    Tensors.requireFinite(a, "bboxes1");
    Tensors.requireFinite(b, "bboxes2");
    double s = in.round(scale);
    for (int i = 0; i < a.length; i++) {
      a[i] = Precision.toHalf(in.round(a[i] / s));
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = Precision.toHalf(in.round(b[i] / s));
    }
    requireHalfAreas(a, b, mode, isAligned, scale);
    double eps = Precision.toHalf(BboxOverlaps.DEFAULT_EPS);
    if (isAligned) {
      double[] out = new double[a.length / 4];
      OverlapKernels.aligned(a, b, mode, eps, Precision.F16, out);
      requireNoHalfNan(out, out.length, 0, scale);
      return Tensors.create(out, DataType.FLOAT, l.outShape());
    }
    return l.pairwise(DataType.FLOAT, chunkElements,
        k -> OverlapRows.of(l.rowsOf(a, k), l.colsOf(b, k), mode, eps, Precision.F16, false),
        (chunk, len, base) -> requireNoHalfNan(chunk, len, base, scale));
  }

  /**
   * Float16 tops out at 65504: an area or a union beyond it becomes infinite, and MMDetection then
   * returns 0 (finite overlap over an infinite union) or NaN (inf - inf) without a word. We refuse
   * such inputs and point at {@code scale}, which exists to keep them in range.
   */
  private static void requireHalfAreas(double[] a, double[] b, OverlapMode mode, boolean isAligned, double scale) {
    double[] area1 = halfAreas(a, "bboxes1", scale);
    double[] area2 = halfAreas(b, "bboxes2", scale);
    int n = area1.length;
    int m = area2.length;
    if (isAligned && mode != OverlapMode.IOF) {
      for (int j = 0; j < Math.min(n, m); j++) {
        requireHalfFinite(Precision.toHalf(area1[j] + area2[j]), "area1 + area2 of row " + j, scale);
      }
    }
    double max1 = Arrays.stream(area1).max().orElse(Double.NEGATIVE_INFINITY);
    double min1 = Arrays.stream(area1).min().orElse(Double.POSITIVE_INFINITY);
    double max2 = Arrays.stream(area2).max().orElse(Double.NEGATIVE_INFINITY);
    double min2 = Arrays.stream(area2).min().orElse(Double.POSITIVE_INFINITY);
    if (!isAligned && mode != OverlapMode.IOF && n > 0 && m > 0) {
      requireHalfFinite(Precision.toHalf(max1 + max2), "the largest area1 + area2", scale);
      requireHalfFinite(Precision.toHalf(min1 + min2), "the smallest area1 + area2", scale);
    }
  }

  /** The float16 area of every box, each required finite (naming {@code name} and the row). */
  private static double[] halfAreas(double[] boxes, String name, double scale) {
    double[] out = new double[boxes.length / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = PairOverlap.area(boxes, i, Precision.F16);
      requireHalfFinite(out[i], "area of " + name + " row " + i, scale);
    }
    return out;
  }

  private static void requireHalfFinite(double v, String what, double scale) {
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("fp16 overlaps overflow float16 (max 65504): " + what
          + " is " + v + " at scale " + scale + "; pass a larger scale");
    }
  }

  /** A GIoU enclosing area can still overflow per pair; its NaN is reported, not returned. */
  private static void requireNoHalfNan(double[] out, int len, long base, double scale) {
    for (int i = 0; i < len; i++) {
      if (Double.isNaN(out[i])) {
        throw new IllegalArgumentException("fp16 overlaps overflow float16 (max 65504): element " + (base + i)
            + " is NaN at scale " + scale + "; pass a larger scale");
      }
    }
  }
}
