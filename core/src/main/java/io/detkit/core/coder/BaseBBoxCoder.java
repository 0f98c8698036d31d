package io.detkit.core.coder;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The ND4J and primitive-array boundary shared by the coders: argument checks, dtype handling and
 * the conversion to the one {@code double[]} loop each coder implements.
 *
 * <p>Each coder writes its arithmetic once, on doubles, passing every intermediate through {@link
 * #rd}. In float32 mode {@code rd} rounds to float after each operation, which gives exactly the
 * float32 result of that operation (a double holds the exact result of a float +, -, *, / or sqrt
 * well enough that rounding it once more is harmless), so the one loop serves both precisions.
 */
abstract class BaseBBoxCoder implements BBoxCoder {
  private final int priorDim;
  private final boolean multiBox;

  /**
   * @param priorDim values per prior row
   * @param multiBox whether predictions may hold {@code k > 1} boxes per prior ({@code [N, 4*k]})
   */
  BaseBBoxCoder(int priorDim, boolean multiBox) {
    this.priorDim = priorDim;
    this.multiBox = multiBox;
  }

  /** Encoding arithmetic on flat rows: {@code out[4*i+j]} from prior {@code i} and box {@code i}. */
  @FunctionalInterface
  interface EncodeKernel {
    void run(double[] priors, double[] gt, boolean f32, double[] out);
  }

  /**
   * Decoding arithmetic on flat rows. {@code out} receives the boxes; when {@code grad} is non-null
   * it also receives {@code d sum(upstream * out) / d pred}.
   */
  @FunctionalInterface
  interface DecodeKernel {
    void run(double[] priors, double[] pred, int[] maxShape, boolean f32, double[] out, double[] upstream,
        double[] grad);
  }

  abstract void encodeKernel(double[] priors, double[] gt, boolean f32, double[] out);

  abstract void decodeKernel(double[] priors, double[] pred, int[] maxShape, boolean f32, double[] out,
      double[] upstream, double[] grad);

  @Override
  public int priorDim() {
    return priorDim;
  }

  // ---- ND4J boundary ----

  @Override
  public INDArray encode(INDArray bboxes, INDArray gtBboxes) {
    return encodeWith(bboxes, gtBboxes, this::encodeKernel);
  }

  @Override
  public INDArray decode(INDArray bboxes, INDArray pred, int[] maxShape) {
    return decodeWith(bboxes, pred, maxShape, null, this::decodeKernel);
  }

  @Override
  public INDArray decodeVjp(INDArray bboxes, INDArray pred, int[] maxShape, INDArray upstream) {
    Tensors.requireNonNull(upstream, "upstream");
    return decodeWith(bboxes, pred, maxShape, upstream, this::decodeKernel);
  }

  INDArray encodeWith(INDArray bboxes, INDArray gtBboxes, EncodeKernel kernel) {
    int n = requirePriors(bboxes);
    Tensors.requireBoxes(gtBboxes, "gt_bboxes");
    if (gtBboxes.size(0) != n) {
      throw new IllegalArgumentException("gt_bboxes must have one row per prior in " + priorName() + " (" + n
          + "); got " + Tensors.shapeOf(gtBboxes));
    }
    DataType type = resultType(bboxes, gtBboxes);
    double[] priors = finite(Tensors.toDoubles(bboxes), priorName());
    double[] gt = finite(Tensors.toDoubles(gtBboxes), "gt_bboxes");
    double[] out = new double[4 * n];
    kernel.run(priors, gt, type != DataType.DOUBLE, out);
    requireFiniteTargets(out, priors, gt);
    return Tensors.create(out, type, n, 4);
  }

  INDArray decodeWith(INDArray bboxes, INDArray pred, int[] maxShape, INDArray upstream, DecodeKernel kernel) {
    int n = requirePriors(bboxes);
    Tensors.requireFloating(pred, "pred_bboxes");
    if (pred.rank() != 2 || pred.size(0) != n || pred.size(1) == 0 || pred.size(1) % 4 != 0
        || (!multiBox && pred.size(1) != 4)) {
      throw new IllegalArgumentException("pred_bboxes must be [" + n + "," + (multiBox ? "4*k" : "4")
          + "] to match " + priorName() + " " + Tensors.shapeOf(bboxes) + "; got " + Tensors.shapeOf(pred));
    }
    checkMaxShape(maxShape);
    DataType type = resultType(bboxes, pred);
    long[] shape = pred.shape();
    int len = (int) (shape[0] * shape[1]);
    double[] up = null;
    double[] grad = null;
    if (upstream != null) {
      Tensors.requireFloating(upstream, "upstream");
      Tensors.requireShape(upstream, "upstream", shape);
      up = finite(Tensors.toDoubles(upstream), "upstream");
      grad = new double[len];
      if (upstream.dataType() == DataType.DOUBLE) {
        type = DataType.DOUBLE;
      }
    }
    double[] out = new double[len];
    kernel.run(finite(Tensors.toDoubles(bboxes), priorName()), finite(Tensors.toDoubles(pred), "pred_bboxes"),
        maxShape, type != DataType.DOUBLE, out, up, grad);
    requireFiniteResult(grad == null ? out : grad, grad == null ? "decoded boxes" : "the decode gradient");
    return Tensors.create(grad == null ? out : grad, type, shape);
  }

  private int requirePriors(INDArray bboxes) {
    Tensors.requireFloating(bboxes, priorName());
    if (bboxes.rank() != 2 || bboxes.size(1) != priorDim) {
      throw new IllegalArgumentException(priorName() + " must be [N," + priorDim + "] " + priorFormat() + "; got "
          + Tensors.shapeOf(bboxes));
    }
    return (int) bboxes.size(0);
  }

  /** FLOAT64 when any input is, else the dtype of the value-carrying input {@code b}. */
  private static DataType resultType(INDArray a, INDArray b) {
    return a.dataType() == DataType.DOUBLE || b.dataType() == DataType.DOUBLE ? DataType.DOUBLE : b.dataType();
  }

  private String priorName() {
    return priorDim == 2 ? "points" : "bboxes";
  }

  private String priorFormat() {
    return priorDim == 2 ? "(x, y)" : "(x1, y1, x2, y2)";
  }

  /** @throws IllegalArgumentException unless null or {@code (h, w[, c])} with h, w &gt;= 0 */
  static void checkMaxShape(int[] maxShape) {
    if (maxShape != null && (maxShape.length < 2 || maxShape[0] < 0 || maxShape[1] < 0)) {
      throw new IllegalArgumentException("max_shape must be null or (h, w) / (h, w, c) with h, w >= 0; got "
          + Arrays.toString(maxShape));
    }
  }

  // ---- primitive boundary ----

  @Override
  public float[] encode(float[] bboxes, float[] gtBboxes) {
    return Tensors.narrow(encodeFlat(Tensors.widen(bboxes), Tensors.widen(gtBboxes), true, this::encodeKernel));
  }

  @Override
  public double[] encode(double[] bboxes, double[] gtBboxes) {
    return encodeFlat(bboxes, gtBboxes, false, this::encodeKernel);
  }

  @Override
  public float[] decode(float[] bboxes, float[] pred, int[] maxShape) {
    return Tensors.narrow(decodeFlat(Tensors.widen(bboxes), Tensors.widen(pred), maxShape, null, true,
        this::decodeKernel));
  }

  @Override
  public double[] decode(double[] bboxes, double[] pred, int[] maxShape) {
    return decodeFlat(bboxes, pred, maxShape, null, false, this::decodeKernel);
  }

  @Override
  public float[] decodeVjp(float[] bboxes, float[] pred, int[] maxShape, float[] upstream) {
    requireArray(upstream, "upstream");
    return Tensors.narrow(decodeFlat(Tensors.widen(bboxes), Tensors.widen(pred), maxShape, Tensors.widen(upstream),
        true, this::decodeKernel));
  }

  @Override
  public double[] decodeVjp(double[] bboxes, double[] pred, int[] maxShape, double[] upstream) {
    requireArray(upstream, "upstream");
    return decodeFlat(bboxes, pred, maxShape, upstream, false, this::decodeKernel);
  }

  double[] encodeFlat(double[] bboxes, double[] gt, boolean f32, EncodeKernel kernel) {
    int n = flatPriors(bboxes);
    requireArray(gt, "gt_bboxes");
    if (gt.length != 4 * n) {
      throw new IllegalArgumentException("gt_bboxes must hold 4 values per prior (" + 4 * n + "); got "
          + gt.length);
    }
    finite(bboxes, priorName());
    finite(gt, "gt_bboxes");
    double[] out = new double[4 * n];
    kernel.run(bboxes, gt, f32, out);
    requireFiniteTargets(out, bboxes, gt);
    return out;
  }

  double[] decodeFlat(double[] bboxes, double[] pred, int[] maxShape, double[] upstream, boolean f32,
      DecodeKernel kernel) {
    int n = flatPriors(bboxes);
    requireArray(pred, "pred_bboxes");
    boolean ok = multiBox ? (n == 0 ? pred.length == 0 : pred.length > 0 && pred.length % (4 * n) == 0)
        : pred.length == 4 * n;
    if (!ok) {
      throw new IllegalArgumentException("pred_bboxes must hold " + (multiBox ? "4*k" : "4") + " values per prior ("
          + n + " priors); got " + pred.length);
    }
    checkMaxShape(maxShape);
    double[] grad = null;
    if (upstream != null) {
      if (upstream.length != pred.length) {
        throw new IllegalArgumentException("upstream must match pred_bboxes (" + pred.length + " values); got "
            + upstream.length);
      }
      finite(upstream, "upstream");
      grad = new double[pred.length];
    }
    finite(bboxes, priorName());
    finite(pred, "pred_bboxes");
    double[] out = new double[pred.length];
    kernel.run(bboxes, pred, maxShape, f32, out, upstream, grad);
    requireFiniteResult(grad == null ? out : grad, grad == null ? "decoded boxes" : "the decode gradient");
    return grad == null ? out : grad;
  }

  /**
   * NaN or infinite inputs would flow silently into targets and boxes, so they are rejected up
   * front, naming the argument and the first bad flat index.
   */
  private static double[] finite(double[] v, String name) {
    Tensors.requireFinite(v, name);
    return v;
  }

  /**
   * Finite inputs can still encode to a non-finite target: a zero-width or zero-height prior
   * divides by zero and a zero-size ground truth takes log(0). MMDetection returns those NaN/Inf
   * targets; we name the offending row instead, since a training step could not recover from them.
   */
  /** Why a finite row encoded to a non-finite target: a degenerate box, or else an overflow. */
  private String cause(double[] priors, double[] gt, int row) {
    boolean degenerate = gt[4 * row + 2] == gt[4 * row] || gt[4 * row + 3] == gt[4 * row + 1];
    if (priorDim == 4) {
      degenerate |= priors[4 * row + 2] == priors[4 * row] || priors[4 * row + 3] == priors[4 * row + 1];
    }
    return degenerate ? "zero width or height" : "the target overflows the dtype for these box sizes";
  }

  private void requireFiniteTargets(double[] out, double[] priors, double[] gt) {
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(out[i])) {
        int row = i / 4;
        throw new IllegalArgumentException("cannot encode gt_bboxes row " + row + " " + row(gt, 4 * row, 4)
            + " against " + priorName() + " row " + row + " " + row(priors, priorDim * row, priorDim)
            + ": target element " + i + " is " + out[i] + " (" + cause(priors, gt, row) + ")");
      }
    }
  }

  /** Overflow of finite but huge predictions, reported rather than returned as Inf. */
  private static void requireFiniteResult(double[] out, String what) {
    for (int i = 0; i < out.length; i++) {
      if (!Double.isFinite(out[i])) {
        throw new IllegalArgumentException(what + " overflowed: element " + i + " is " + out[i]
            + " (inputs too large for the dtype)");
      }
    }
  }

  private static String row(double[] v, int from, int len) {
    StringBuilder sb = new StringBuilder("[");
    for (int j = 0; j < len; j++) {
      sb.append(j == 0 ? "" : ", ").append(v[from + j]);
    }
    return sb.append(']').toString();
  }

  private int flatPriors(double[] bboxes) {
    requireArray(bboxes, priorName());
    if (bboxes.length % priorDim != 0) {
      throw new IllegalArgumentException(priorName() + " must hold " + priorDim + " values per prior; got "
          + bboxes.length);
    }
    return bboxes.length / priorDim;
  }

  private static void requireArray(Object a, String name) {
    if (a == null) {
      throw new IllegalArgumentException(name + " must not be null");
    }
  }

  /** Upstream gradient {@code i}, or 0 when only the forward pass runs. */
  static double up(double[] upstream, int i) {
    return upstream == null ? 0 : upstream[i];
  }
}
