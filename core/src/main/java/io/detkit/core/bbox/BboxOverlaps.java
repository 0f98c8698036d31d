package io.detkit.core.bbox;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.check.Limits;
import io.detkit.core.precision.Precision;
import io.detkit.core.tensor.Tensors;
import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
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
 * Both inputs must have the same dtype (FLOAT or DOUBLE).
 *
 * <p>Memory: the non-aligned result is filled in row chunks of about {@value #CHUNK_ELEMENTS}
 * pairs, so beyond the result itself only a chunk is allocated (100 x 200,000 boxes need the
 * 80 MB result and a 4 MB chunk).
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
    Layout l = Layout.check(bboxes1, "bboxes1", bboxes2, "bboxes2", mode, isAligned, eps);
    if (l.isEmpty()) {
      return Nd4j.create(l.type, l.outShape());
    }
    // The float32 and float64 branches mirror each other: each feeds its own precision's kernel and
    // buffer type, which a shared generic loop could only do through boxing or rounding.
    if (l.type == DataType.FLOAT) {
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
      INDArray out = Nd4j.createUninitialized(DataType.FLOAT, l.outShape(), 'c');
      // The NIO view does not keep out's buffer alive; the fence does, until the last chunk is in.
      try {
        FloatBuffer dst = out.data().asNioFloat();
        int rowsPerChunk = l.rowsPerChunk(chunkElements);
        float[] chunk = new float[rowsPerChunk * l.cols];
        for (int k = 0; k < l.batch; k++) {
          float[] ak = Arrays.copyOfRange(a, 4 * k * l.rows, 4 * (k + 1) * l.rows);
          float[] bk = Arrays.copyOfRange(b, 4 * k * l.cols, 4 * (k + 1) * l.cols);
          for (int r0 = 0; r0 < l.rows; r0 += rowsPerChunk) {
            int r1 = Math.min(l.rows, r0 + rowsPerChunk);
            OverlapKernels.pairwise(ak, r0, r1, bk, mode, e, chunk, !fast);
            dst.position((int) ((long) k * l.rows * l.cols + (long) r0 * l.cols));
            dst.put(chunk, 0, (r1 - r0) * l.cols);
          }
        }
      } finally {
        Reference.reachabilityFence(out);
      }
      return out;
    }
    double[] a = Tensors.toDoubles(bboxes1);
    double[] b = Tensors.toDoubles(bboxes2);
    boolean fast = OverlapKernels.withinFastRange(a) & OverlapKernels.withinFastRange(b);
    if (!fast) {
      Tensors.requireFinite(a, "bboxes1");
      Tensors.requireFinite(b, "bboxes2");
    }
    if (isAligned) {
      return Tensors.create(OverlapKernels.aligned(a, b, mode, eps), DataType.DOUBLE, l.outShape());
    }
    INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, l.outShape(), 'c');
    try {
      DoubleBuffer dst = out.data().asNioDouble();
      int rowsPerChunk = l.rowsPerChunk(chunkElements);
      double[] chunk = new double[rowsPerChunk * l.cols];
      for (int k = 0; k < l.batch; k++) {
        double[] ak = Arrays.copyOfRange(a, 4 * k * l.rows, 4 * (k + 1) * l.rows);
        double[] bk = Arrays.copyOfRange(b, 4 * k * l.cols, 4 * (k + 1) * l.cols);
        for (int r0 = 0; r0 < l.rows; r0 += rowsPerChunk) {
          int r1 = Math.min(l.rows, r0 + rowsPerChunk);
          OverlapKernels.pairwise(ak, r0, r1, bk, mode, eps, chunk, !fast);
          dst.position((int) ((long) k * l.rows * l.cols + (long) r0 * l.cols));
          dst.put(chunk, 0, (r1 - r0) * l.cols);
        }
      }
    } finally {
      Reference.reachabilityFence(out);
    }
    return out;
  }

  /**
   * Overlaps computed in float16 arithmetic, MMDetection's {@code BboxOverlaps2D(dtype='fp16')}:
   * both inputs divided by {@code scale} in their own dtype, rounded to float16, every operation
   * rounded to float16, the result returned as float32. Same checks as {@link #bboxOverlaps}, and
   * an area, a union or a GIoU enclosing area that overflows float16 is rejected.
   */
  static INDArray bboxOverlapsHalf(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned,
      double scale, int chunkElements) {
    Layout l = Layout.check(bboxes1, "bboxes1", bboxes2, "bboxes2", mode, isAligned, DEFAULT_EPS);
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
    double eps = Precision.toHalf(DEFAULT_EPS);
    if (isAligned) {
      double[] out = new double[a.length / 4];
      OverlapKernels.aligned(a, b, mode, eps, Precision.F16, out);
      requireNoHalfNan(out, out.length, 0, scale);
      return Tensors.create(out, DataType.FLOAT, l.outShape());
    }
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, l.outShape(), 'c');
    try {
      FloatBuffer dst = out.data().asNioFloat();
      int rowsPerChunk = l.rowsPerChunk(chunkElements);
      double[] chunk = new double[rowsPerChunk * l.cols];
      float[] chunkF = new float[chunk.length];
      for (int k = 0; k < l.batch; k++) {
        double[] ak = Arrays.copyOfRange(a, 4 * k * l.rows, 4 * (k + 1) * l.rows);
        double[] bk = Arrays.copyOfRange(b, 4 * k * l.cols, 4 * (k + 1) * l.cols);
        for (int r0 = 0; r0 < l.rows; r0 += rowsPerChunk) {
          int r1 = Math.min(l.rows, r0 + rowsPerChunk);
          OverlapKernels.pairwise(ak, r0, r1, bk, mode, eps, Precision.F16, chunk);
          int len = (r1 - r0) * l.cols;
          requireNoHalfNan(chunk, len, (long) k * l.rows * l.cols + (long) r0 * l.cols, scale);
          for (int i = 0; i < len; i++) {
            chunkF[i] = (float) chunk[i];
          }
          dst.position((int) ((long) k * l.rows * l.cols + (long) r0 * l.cols));
          dst.put(chunkF, 0, len);
        }
      }
    } finally {
      Reference.reachabilityFence(out);
    }
    return out;
  }

  /**
   * Float16 tops out at 65504: an area or a union beyond it becomes infinite, and MMDetection then
   * returns 0 (finite overlap over an infinite union) or NaN (inf - inf) without a word. We refuse
   * such inputs and point at {@code scale}, which exists to keep them in range.
   */
  private static void requireHalfAreas(double[] a, double[] b, OverlapMode mode, boolean isAligned, double scale) {
    int n = a.length / 4;
    int m = b.length / 4;
    double max1 = Double.NEGATIVE_INFINITY;
    double min1 = Double.POSITIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      double area = OverlapKernels.area(a, i, Precision.F16);
      requireHalfFinite(area, "area of bboxes1 row " + i, scale);
      max1 = Math.max(max1, area);
      min1 = Math.min(min1, area);
    }
    double max2 = Double.NEGATIVE_INFINITY;
    double min2 = Double.POSITIVE_INFINITY;
    for (int j = 0; j < m; j++) {
      double area = OverlapKernels.area(b, j, Precision.F16);
      requireHalfFinite(area, "area of bboxes2 row " + j, scale);
      max2 = Math.max(max2, area);
      min2 = Math.min(min2, area);
      if (isAligned && mode != OverlapMode.IOF && j < n) {
        requireHalfFinite(Precision.toHalf(OverlapKernels.area(a, j, Precision.F16) + area),
            "area1 + area2 of row " + j, scale);
      }
    }
    if (!isAligned && mode != OverlapMode.IOF && n > 0 && m > 0) {
      requireHalfFinite(Precision.toHalf(max1 + max2), "the largest area1 + area2", scale);
      requireHalfFinite(Precision.toHalf(min1 + min2), "the smallest area1 + area2", scale);
    }
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
    Tensors.requireNonNull(pred, "pred");
    Tensors.requireNonNull(target, "target");
    Tensors.requireNonNull(upstream, "upstream");
    Tensors.requireNonNull(mode, "mode");
    if (pred.length % 4 != 0 || target.length != pred.length || upstream.length != pred.length / 4) {
      throw new IllegalArgumentException("pred and target must hold 4*n values and upstream n; got " + pred.length
          + ", " + target.length + " and " + upstream.length);
    }
    if (!Double.isFinite(eps) || eps < 0) {
      throw new IllegalArgumentException("eps must be finite and >= 0; got " + eps);
    }
    requireGradientRange(pred, "pred", target, "target", float32);
    Tensors.requireFinite(upstream, "upstream");
    double[] g = upstream.clone();
    roundAll(g, float32);
    double[] sums = new double[OverlapGradKernels.SLOTS * (pred.length / 4)];
    OverlapGradKernels.aligned(pred, target, mode, round(eps, float32), float32, g, sums, null);
    double[] grad = new double[pred.length];
    OverlapGradKernels.finish(pred, sums, float32, grad, 0);
    return grad;
  }

  static Gradients vjp(INDArray bboxes1, INDArray bboxes2, OverlapMode mode, boolean isAligned, double eps,
      INDArray upstream, int chunkElements) {
    return vjp(bboxes1, "bboxes1", bboxes2, "bboxes2", mode, isAligned, eps, upstream, true, chunkElements);
  }

  private static Gradients vjp(INDArray bboxes1, String name1, INDArray bboxes2, String name2, OverlapMode mode,
      boolean isAligned, double eps, INDArray upstream, boolean wantSecond, int chunkElements) {
    Layout l = Layout.check(bboxes1, name1, bboxes2, name2, mode, isAligned, eps);
    Tensors.requireFloating(upstream, "upstream");
    Tensors.requireShape(upstream, "upstream", l.outShape());
    if (l.isEmpty()) {
      return new Gradients(Nd4j.create(l.type, bboxes1.shape()),
          wantSecond ? Nd4j.create(l.type, bboxes2.shape()) : null);
    }
    boolean f32 = l.type == DataType.FLOAT;
    double[] a = Tensors.toDoubles(bboxes1);
    double[] b = Tensors.toDoubles(bboxes2);
    requireGradientRange(a, name1, b, name2, f32);
    double e = round(eps, f32);
    double[] ga = new double[a.length];
    double[] gb = wantSecond ? new double[b.length] : null;
    if (isAligned) {
      double[] g = Tensors.toDoubles(upstream);
      Tensors.requireFinite(g, "upstream");
      roundAll(g, f32);
      double[] sa = new double[OverlapGradKernels.SLOTS * (a.length / 4)];
      double[] sb = wantSecond ? new double[OverlapGradKernels.SLOTS * (b.length / 4)] : null;
      OverlapGradKernels.aligned(a, b, mode, e, f32, g, sa, sb);
      OverlapGradKernels.finish(a, sa, f32, ga, 0);
      if (wantSecond) {
        OverlapGradKernels.finish(b, sb, f32, gb, 0);
      }
    } else {
      UpstreamRows rows = new UpstreamRows(upstream, l.type);
      int rowsPerChunk = l.rowsPerChunk(chunkElements);
      double[] g = new double[rowsPerChunk * l.cols];
      for (int k = 0; k < l.batch; k++) {
        double[] ak = Arrays.copyOfRange(a, 4 * k * l.rows, 4 * (k + 1) * l.rows);
        double[] bk = Arrays.copyOfRange(b, 4 * k * l.cols, 4 * (k + 1) * l.cols);
        double[] area2 = new double[l.cols];
        for (int j = 0; j < l.cols; j++) {
          area2[j] = OverlapGradKernels.area(bk, j, f32);
        }
        double[] sa = new double[OverlapGradKernels.SLOTS * l.rows];
        double[] sb = wantSecond ? new double[OverlapGradKernels.SLOTS * l.cols] : null;
        for (int r0 = 0; r0 < l.rows; r0 += rowsPerChunk) {
          int r1 = Math.min(l.rows, r0 + rowsPerChunk);
          long base = (long) k * l.rows * l.cols + (long) r0 * l.cols;
          rows.read(base, (r1 - r0) * l.cols, g);
          requireFiniteUpstream(g, (r1 - r0) * l.cols, base);
          OverlapGradKernels.pairwise(ak, r0, r1, bk, area2, mode, e, f32, g, sa, sb);
        }
        OverlapGradKernels.finish(ak, sa, f32, ga, 4 * k * l.rows);
        if (wantSecond) {
          OverlapGradKernels.finish(bk, sb, f32, gb, 4 * k * l.cols);
        }
      }
    }
    return new Gradients(Tensors.create(ga, l.type, bboxes1.shape()),
        wantSecond ? Tensors.create(gb, l.type, bboxes2.shape()) : null);
  }

  /**
   * Finite coordinates within {@link OverlapKernels#SAFE_F32} (float32) or
   * {@link OverlapKernels#SAFE_F64}: the gradient loops have no scaled path, and beyond that range
   * their area products overflow. One pass over each input, which is also the finiteness check.
   *
   * @throws IllegalArgumentException naming the input and its first non-finite element, or the
   *     range when a finite coordinate is beyond it
   */
  private static void requireGradientRange(double[] a, String name1, double[] b, String name2, boolean f32) {
    if (OverlapKernels.withinFastRange(a, f32) && OverlapKernels.withinFastRange(b, f32)) {
      return;
    }
    Tensors.requireFinite(a, name1);
    Tensors.requireFinite(b, name2);
    throw new IllegalArgumentException("gradients of bbox_overlaps need coordinates within +/-"
        + (f32 ? "2^62 in float32" : "2^510 in float64") + ", where no area overflows; " + name1 + " or " + name2
        + " has a larger one (overlaps are scale-invariant: scale the boxes down)");
  }

  private static void roundAll(double[] g, boolean f32) {
    if (f32) {
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) g[i];
      }
    }
  }

  /** Chunk-wise, so that a large upstream is never copied whole just to be checked. */
  private static void requireFiniteUpstream(double[] g, int len, long base) {
    for (int i = 0; i < len; i++) {
      if (!Double.isFinite(g[i])) {
        throw new IllegalArgumentException("upstream must be finite; element " + (base + i) + " is " + g[i]);
      }
    }
  }

  /** Reads a large upstream gradient chunk by chunk, in C order, rounded to the boxes' precision. */
  private static final class UpstreamRows {
    /**
     * The array the views read from, often a temporary cast or dense copy that nothing else
     * holds: the NIO views do not keep it alive, so every read fences it.
     */
    private final INDArray owner;
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;
    private float[] floatChunk = new float[0];

    UpstreamRows(INDArray upstream, DataType type) {
      INDArray u = upstream.dataType() == type ? upstream : upstream.castTo(type);
      if (u.ordering() != 'c' || u.offset() != 0 || u.elementWiseStride() != 1 || u.data().length() != u.length()) {
        u = u.dup('c');
      }
      owner = u;
      if (type == DataType.FLOAT) {
        floats = u.data().asNioFloat();
        doubles = null;
      } else {
        doubles = u.data().asNioDouble();
        floats = null;
      }
    }

    void read(long offset, int length, double[] dst) {
      try {
        if (floats != null) {
          if (floatChunk.length < length) {
            floatChunk = new float[length];
          }
          floats.position(Math.toIntExact(offset));
          floats.get(floatChunk, 0, length);
          for (int i = 0; i < length; i++) {
            dst[i] = floatChunk[i];
          }
        } else {
          doubles.position(Math.toIntExact(offset));
          doubles.get(dst, 0, length);
        }
      } finally {
        Reference.reachabilityFence(owner);
      }
    }
  }

  /** The validated geometry of a call: batch count, rows, cols, dtype, result shape. */
  static final class Layout {
    final long[] batchShape;
    final int batch;
    final int rows;
    final int cols;
    final boolean aligned;
    final DataType type;

    private Layout(long[] batchShape, int batch, int rows, int cols, boolean aligned, DataType type) {
      this.batchShape = batchShape;
      this.batch = batch;
      this.rows = rows;
      this.cols = cols;
      this.aligned = aligned;
      this.type = type;
    }

    static Layout check(INDArray bboxes1, String name1, INDArray bboxes2, String name2, OverlapMode mode,
        boolean aligned, double eps) {
      requireBoxes(bboxes1, name1);
      requireBoxes(bboxes2, name2);
      if (mode == null) {
        throw new IllegalArgumentException("mode must be one of 'iou', 'iof', 'giou'; got null");
      }
      if (!Double.isFinite(eps) || eps < 0) {
        throw new IllegalArgumentException("eps must be finite and >= 0; got " + eps);
      }
      DataType type = bboxes1.dataType();
      // Float32 boxes compute with a float32 eps: 1e308 would become infinity there.
      if (type == DataType.FLOAT && !Float.isFinite((float) eps)) {
        throw new IllegalArgumentException("eps must be finite in float32 for FLOAT boxes (at most "
            + Float.MAX_VALUE + "); got " + eps);
      }
      if (bboxes2.dataType() != type) {
        throw new IllegalArgumentException(name2 + " must have the dtype of " + name1 + " (" + type + "); got "
            + bboxes2.dataType());
      }
      long[] s1 = bboxes1.shape();
      long[] s2 = bboxes2.shape();
      long[] batch1 = Arrays.copyOf(s1, s1.length - 2);
      long[] batch2 = Arrays.copyOf(s2, s2.length - 2);
      if (!Arrays.equals(batch1, batch2)) {
        throw new IllegalArgumentException(name2 + " must have the batch dims of " + name1 + " "
            + Arrays.toString(batch1).replace(" ", "") + "; got " + Arrays.toString(batch2).replace(" ", "")
            + " (" + name1 + " " + Tensors.shapeOf(bboxes1) + ", " + name2 + " " + Tensors.shapeOf(bboxes2) + ")");
      }
      long rows = s1[s1.length - 2];
      long cols = s2[s2.length - 2];
      if (aligned && rows != cols) {
        throw new IllegalArgumentException("is_aligned needs as many boxes in " + name2 + " as in " + name1
            + " (" + rows + "); got " + cols + " (" + name1 + " " + Tensors.shapeOf(bboxes1) + ", " + name2 + " "
            + Tensors.shapeOf(bboxes2) + ")");
      }
      // Sized before anything is allocated: the coordinates as Java arrays, the result as one
      // buffer written through an NIO view, whose limit counts bytes, not elements.
      String what = "bbox_overlaps of " + name1 + " " + Tensors.shapeOf(bboxes1) + " and " + name2 + " "
          + Tensors.shapeOf(bboxes2);
      int batch = Limits.arrayLength(what + ": batch", batch1);
      Limits.arrayLength(what + ": " + name1 + " coordinates", batch, rows, 4);
      Limits.arrayLength(what + ": " + name2 + " coordinates", batch, cols, 4);
      int pairs = Limits.arrayLength(what + ": result", batch, rows, aligned ? 1 : cols);
      Limits.requireBufferBytes(what + ": result", pairs, type == DataType.DOUBLE ? Double.BYTES : Float.BYTES,
          type.name());
      return new Layout(batch1, batch, (int) rows, (int) cols, aligned, type);
    }

    private static void requireBoxes(INDArray boxes, String name) {
      Tensors.requireNonNull(boxes, name);
      long[] s = boxes.shape();
      // MMDetection lets an array whose first dim is 0 through whatever its last dim is.
      if (s.length < 2 || (s[s.length - 1] != 4 && s[0] != 0)) {
        throw new IllegalArgumentException(name + " must be [..., N, 4] (x1, y1, x2, y2); got " + Tensors.shapeOf(boxes));
      }
      Tensors.requireFloating(boxes, name);
      if (boxes.dataType() != DataType.FLOAT && boxes.dataType() != DataType.DOUBLE) {
        throw new IllegalArgumentException(name + " must be FLOAT or DOUBLE; got " + boxes.dataType());
      }
    }

    long[] outShape() {
      long[] out = Arrays.copyOf(batchShape, batchShape.length + (aligned ? 1 : 2));
      out[batchShape.length] = rows;
      if (!aligned) {
        out[batchShape.length + 1] = cols;
      }
      return out;
    }

    boolean isEmpty() {
      return (long) batch * rows * (aligned ? 1 : cols) == 0;
    }

    int rowsPerChunk(int chunkElements) {
      return Math.max(1, Math.min(rows, chunkElements / Math.max(cols, 1)));
    }
  }
}
