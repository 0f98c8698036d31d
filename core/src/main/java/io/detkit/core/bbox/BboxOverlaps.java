package io.detkit.core.bbox;

import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MMDetection 2.x's {@code bbox_overlaps} (mmdet/core/bbox/iou_calculators/iou2d_calculator.py)
 * and its gradients.
 *
 * <p>Boxes are {@code (x1, y1, x2, y2)}, widths {@code x2 - x1} without MMDetection 1.x's +1.
 * {@code bboxes1} is {@code [..., N, 4]} and {@code bboxes2} {@code [..., M, 4]} with the same
 * leading (batch) dims. Not aligned, the result is {@code [..., N, M]} (every pair); aligned, it is
 * {@code [..., N]} (pair i with pair i, {@code N == M}). If the result has no elements it is an
 * empty array of that shape, as MMDetection returns.
 *
 * <p>Semantics, all as in MMDetection:
 * <ul>
 *   <li>areas are {@code (x2 - x1) * (y2 - y1)}, not clamped, so an inverted box (x2 &lt; x1)
 *       has a negative area that enters the union;
 *   <li>the intersection's width and height are clamped at 0;
 *   <li>{@code iou}: overlap / max(area1 + area2 - overlap, eps); {@code iof}: overlap /
 *       max(area1, eps); {@code giou}: iou - (E - U) / E with E = max(enclosing area, eps) and U
 *       the eps-clamped union.
 * </ul>
 *
 * <p>Precision: float32 inputs are computed with float32 operations in torch's order, so values
 * match MMDetection bit for bit; float64 inputs are computed in float64 and returned as float64.
 * Both run the one overlap formula ({@link OverlapKernels}) in the inputs' {@link Precision}, float32
 * boxes read as floats by its float32 instance; the
 * backward pass is {@link OverlapVjp}, the float16 calculator {@link HalfOverlaps}.
 * Both inputs must have the same dtype (FLOAT or DOUBLE).
 *
 * <p>Memory: the non-aligned result is filled in row chunks of about {@value #CHUNK_ELEMENTS}
 * pairs, so beyond the result itself only a chunk is allocated (100 x 200,000 boxes need the
 * 80 MB result and a 4 MB chunk).
 *
 * <p>Ownership: every result (and each array of {@link Gradients}) is a new array the caller owns;
 * nothing in detkit keeps a reference to it. Its memory is off the Java heap, and ND4J frees a
 * dropped array only when the garbage collector happens to clear it, which may be many calls later
 * (a loop that drops a 14.6 MB result per call then pages in fresh memory on every call). A caller
 * that has consumed a result closes it: {@code try (INDArray iou = BboxOverlaps.bboxOverlaps(gts,
 * anchors)) { ... }}; closing is optional and never affects other arrays (the inputs are not
 * shared with the result).
 *
 * <p>All methods throw {@link IllegalArgumentException} naming the argument, the expectation and
 * the actual value for: a null array, a rank below 2 or last dim other than 4 ({@code bboxes1
 * must be [..., N, 4] (x1, y1, x2, y2); got [3,5]}; as in MMDetection a last dim other than 4 is
 * tolerated when the first dim is 0), a dtype other than FLOAT/DOUBLE or differing dtypes,
 * differing batch dims, {@code N != M} when aligned, a non-finite coordinate (naming the first bad
 * flat index), a negative or non-finite eps, or an unknown mode string.
 */
public final class BboxOverlaps {
  /** MMDetection's default {@code eps}. */
  public static final double DEFAULT_EPS = 1e-6;

  /** Pairs computed per chunk of the non-aligned loops. */
  static final int CHUNK_ELEMENTS = 1 << 20;

  private BboxOverlaps() {}

  /** Gradients of a scalar w.r.t. both box inputs, each shaped and typed like its input. */
  public record Gradients(INDArray bboxes1, INDArray bboxes2) {}

  /** {@code bbox_overlaps(bboxes1, bboxes2)}: IoU of every pair, eps 1e-6. */
  public static INDArray bboxOverlaps(INDArray bboxes1, INDArray bboxes2) {
    return bboxOverlaps(bboxes1, bboxes2, OverlapMode.IOU, false, DEFAULT_EPS);
  }

  /**
   * {@code bbox_overlaps(bboxes1, bboxes2, mode, is_aligned)} with MMDetection's default eps 1e-6.
   *
   * @param mode {@code "iou"}, {@code "iof"} or {@code "giou"}
   */
  public static INDArray bboxOverlaps(INDArray bboxes1, INDArray bboxes2, String mode, boolean isAligned) {
    return bboxOverlaps(bboxes1, bboxes2, OverlapMode.parse(mode), isAligned, DEFAULT_EPS);
  }

  /** {@code bbox_overlaps(bboxes1, bboxes2, mode, is_aligned)} with eps 1e-6. */
  public static INDArray bboxOverlaps(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned) {
    return bboxOverlaps(bboxes1, bboxes2, mode, isAligned, DEFAULT_EPS);
  }

  /**
   * {@code bbox_overlaps(bboxes1, bboxes2, mode, is_aligned, eps)}.
   *
   * @param bboxes1 {@code [..., N, 4]}
   * @param bboxes2 {@code [..., M, 4]}, same batch dims and dtype
   * @return {@code [..., N, M]}, or {@code [..., N]} when aligned, in the inputs' dtype
   */
  public static INDArray bboxOverlaps(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned,
      double eps) {
    return bboxOverlaps(bboxes1, bboxes2, mode, isAligned, eps, CHUNK_ELEMENTS);
  }

  static INDArray bboxOverlaps(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned, double eps,
      int chunkElements) {
    OverlapLayout l = OverlapLayout.check(bboxes1, "bboxes1", bboxes2, "bboxes2", mode, isAligned, eps);
    if (l.isEmpty()) {
      return Nd4j.create(l.type, l.outShape());
    }
    if (l.type == DataType.FLOAT) {
      // Float32 boxes stay floats: the kernel's float32 instance reads them in place.
      float[] a = Tensors.toFloats(bboxes1);
      float[] b = Tensors.toFloats(bboxes2);
      // One pass decides both: within the fast range means finite, outside it the exact check runs.
      boolean fast = OverlapKernels.withinFastRange(a) & OverlapKernels.withinFastRange(b);
      if (!fast) {
        Tensors.requireFinite(a, "bboxes1");
        Tensors.requireFinite(b, "bboxes2");
      }
      float e = (float) eps;
      if (isAligned) {
        return Tensors.create(OverlapKernels.aligned(a, b, mode, e), DataType.FLOAT, l.outShape());
      }
      return l.pairwise(DataType.FLOAT, chunkElements,
          k -> OverlapRows.ofF32(l.rowsOf(a, k), l.colsOf(b, k), mode, e, !fast), null);
    }
    double[] a = Tensors.toDoubles(bboxes1);
    double[] b = Tensors.toDoubles(bboxes2);
    boolean fast = OverlapKernels.withinFastRange(a, Precision.F64) & OverlapKernels.withinFastRange(b, Precision.F64);
    if (!fast) {
      Tensors.requireFinite(a, "bboxes1");
      Tensors.requireFinite(b, "bboxes2");
    }
    if (isAligned) {
      return Tensors.create(OverlapKernels.aligned(a, b, mode, eps), DataType.DOUBLE, l.outShape());
    }
    return l.pairwise(DataType.DOUBLE, chunkElements,
        k -> OverlapRows.of(l.rowsOf(a, k), l.colsOf(b, k), mode, eps, Precision.F64, !fast), null);
  }

  /**
   * The vector-Jacobian product of {@code bbox_overlaps}: the gradients of
   * {@code sum(overlaps * upstream)} w.r.t. {@code bboxes1} and {@code bboxes2}, exactly as torch
   * 1.13's autograd computes them through MMDetection's code, including its subgradients: the
   * clamped intersection width passes the gradient where it is {@code >= 0}; elementwise
   * max/min ties split the gradient in halves; {@code max(union, eps)} and
   * {@code max(enclose, eps)} pass nothing when the area is below eps and half when equal.
   * Degenerate and inverted boxes get the gradients torch gives them.
   *
   * <p>float32 inputs: the backward runs float32 operations in torch's order, with sums over the
   * broadcast dimension accumulated in double. float64 inputs: float64 throughout. If the result
   * would be empty, both gradients are zero arrays of the inputs' shapes.
   *
   * @param upstream the gradient w.r.t. the overlaps, shaped like the result of
   *     {@link #bboxOverlaps} ({@code [..., N, M]} or {@code [..., N]} aligned), any floating dtype
   *     (rounded to the boxes' dtype), finite
   * @return gradients shaped and typed like {@code bboxes1} and {@code bboxes2}
   * @throws IllegalArgumentException as {@link #bboxOverlaps}, or if {@code upstream} is null, not
   *     floating-point, mis-shaped or holds a NaN or infinite value (naming the first bad flat index)
   */
  public static Gradients vjp(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned, double eps,
      INDArray upstream) {
    return vjp(bboxes1, "bboxes1", bboxes2, "bboxes2", mode, isAligned, eps, upstream, true, CHUNK_ELEMENTS);
  }

  /** {@link #vjp(INDArray, INDArray, OverlapMode, boolean, double, INDArray)} with a mode string. */
  public static Gradients vjp(INDArray bboxes1, INDArray bboxes2, String mode, boolean isAligned, double eps,
      INDArray upstream) {
    return vjp(bboxes1, bboxes2, OverlapMode.parse(mode), isAligned, eps, upstream);
  }

  /**
   * The gradient of {@code sum(upstream * bbox_overlaps(pred, target, mode, is_aligned=True, eps))}
   * w.r.t. {@code pred} only, for IoU-family losses ({@code IoULoss}, {@code GIoULoss}, ...) whose
   * targets carry no gradient.
   *
   * <p>Contract: {@code pred} and {@code target} are {@code [..., N, 4]} of the same shape and dtype;
   * {@code upstream} is {@code [..., N]} (the aligned overlaps' shape), for example
   * {@code -weight} for {@code loss = weight * (1 - iou)}. The result is shaped and typed like
   * {@code pred} and equals {@code vjp(pred, target, mode, true, eps, upstream).bboxes1()}; the
   * target's gradient is not computed. Same checks as {@link #vjp}, naming {@code pred} and
   * {@code target}.
   */
  public static INDArray alignedVjp(INDArray pred, INDArray target, OverlapMode mode, double eps, INDArray upstream) {
    return vjp(pred, "pred", target, "target", mode, true, eps, upstream, false, CHUNK_ELEMENTS).bboxes1();
  }

  /**
   * {@link #alignedVjp(INDArray, INDArray, OverlapMode, double, INDArray)} on flat arrays, for
   * callers that already hold the boxes as primitives (the IoU losses): the gradient of
   * {@code sum(upstream * bbox_overlaps(pred, target, mode, is_aligned=True, eps))} with respect to
   * {@code pred}, with the same arithmetic (float32 rounding at every step when {@code float32}).
   *
   * @param pred {@code 4*n} values, (x1, y1, x2, y2) per box (float32 values widened when {@code float32})
   * @param target {@code 4*n} values
   * @param upstream {@code n} values
   * @return {@code 4*n} gradient values (float32 values when {@code float32})
   * @throws IllegalArgumentException if the lengths do not fit, eps is negative or not finite, or
   *     any value is NaN or infinite (naming {@code pred}, {@code target} or {@code upstream})
   */
  public static double[] alignedVjp(double[] pred, double[] target, OverlapMode mode, double eps, boolean float32,
      double[] upstream) {
    return OverlapVjp.alignedVjp(pred, target, mode, eps, float32, upstream);
  }

  static Gradients vjp(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned, double eps,
      INDArray upstream, int chunkElements) {
    return vjp(bboxes1, "bboxes1", bboxes2, "bboxes2", mode, isAligned, eps, upstream, true, chunkElements);
  }


  private static Gradients vjp(INDArray bboxes1, String name1, INDArray bboxes2, String name2, OverlapMode mode,
      boolean isAligned, double eps, INDArray upstream, boolean wantSecond, int chunkElements) {
    INDArray[] g = OverlapVjp.vjp(bboxes1, name1, bboxes2, name2, mode, isAligned, eps, upstream, wantSecond,
        chunkElements);
    return new Gradients(g[0], g[1]);
  }
}
