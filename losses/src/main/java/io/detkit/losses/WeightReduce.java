package io.detkit.losses;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Steps 3 to 5 of every loss, written once: multiply by the element-wise weight, reduce, scale by
 * {@code loss_weight} (MMDetection's {@code weight_reduce_loss} plus the module's
 * {@code loss_weight}), and the matching backward pass.
 *
 * <p>Reduction rules, as MMDetection 2.x: {@code mean} without {@code avg_factor} divides by the
 * number of loss elements (N*C for class losses); with one it divides the sum by
 * {@code avg_factor + eps} where {@code eps} is float32's machine epsilon; {@code none} ignores
 * {@code avg_factor}; {@code sum} with {@code avg_factor} throws.
 *
 * <p>Arrays are flat in C order with the loss's shape passed beside them.
 * {@link #apply} throws {@link IllegalArgumentException} for {@code sum} with an avg_factor or an
 * upstream of the wrong length; {@link #broadcast} for a weight that does not broadcast.
 */
public final class WeightReduce {
  /** {@code torch.finfo(torch.float32).eps}, which MMDetection adds to every avg_factor. */
  public static final double AVG_FACTOR_EPS = 1.1920928955078125e-07;

  private WeightReduce() {}

  /**
   * The reduced (or, under {@code none}, element-wise) value with its shape ({@code []} when
   * reduced), and the gradient with respect to each loss element, flat in the loss's C order.
   */
  public record Reduced(long[] shape, double[] values, double[] gradLoss) {}

  /**
   * Applies steps 3 to 5 to {@code loss} and differentiates them.
   *
   * @param shape shape of the element-wise loss
   * @param loss element-wise loss, flat C order
   * @param weight element-wise weight already broadcast to {@code shape}, or null
   * @param reduction the effective reduction
   * @param avgFactor divisor for {@code mean}, or null
   * @param lossWeight step 5's scale
   * @param upstream gradient w.r.t. the output (flat; length 1 for a reduced output), or null for ones
   * @throws IllegalArgumentException for {@code sum} with an avg_factor, or an upstream of the wrong length
   */
  public static Reduced apply(long[] shape, double[] loss, double[] weight, Reduction reduction,
      Double avgFactor, double lossWeight, double[] upstream) {
    if (reduction == Reduction.SUM && avgFactor != null) {
      throw new IllegalArgumentException("avg_factor can not be used with reduction='sum' (got avg_factor="
          + avgFactor + ")");
    }
    int n = loss.length;
    double[] weighted = loss;
    if (weight != null) {
      weighted = new double[n];
      for (int i = 0; i < n; i++) {
        weighted[i] = loss[i] * weight[i];
      }
    }
    double[] grad = new double[n];
    if (reduction == Reduction.NONE) {
      if (upstream != null && upstream.length != n) {
        throw new IllegalArgumentException("upstream must have the loss shape " + Arrays.toString(shape)
            + " (" + n + " elements); got " + upstream.length + " elements");
      }
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] = weighted[i] * lossWeight;
        double u = upstream == null ? 1.0 : upstream[i];
        grad[i] = u * lossWeight * (weight == null ? 1.0 : weight[i]);
      }
      return new Reduced(shape, out, grad);
    }
    if (upstream != null && upstream.length != 1) {
      throw new IllegalArgumentException("upstream of a reduced loss must be a scalar; got " + upstream.length
          + " elements");
    }
    double sum = 0;
    for (double v : weighted) {
      sum += v;
    }
    double divisor = 1.0;
    if (reduction == Reduction.MEAN) {
      divisor = avgFactor != null ? avgFactor + AVG_FACTOR_EPS : Math.max(n, 0);
    }
    // torch's mean of an empty tensor is NaN; MMDetection never reaches it in training, and a
    // finite 0 is the useful answer (documented in docs/mmdet-differences.md).
    double value = divisor == 0 ? 0.0 : sum / divisor * lossWeight;
    double scale = (upstream == null ? 1.0 : upstream[0]) * lossWeight / (divisor == 0 ? 1.0 : divisor);
    for (int i = 0; i < n; i++) {
      grad[i] = scale * (weight == null ? 1.0 : weight[i]);
    }
    return new Reduced(new long[0], new double[] {value}, grad);
  }

  /**
   * Broadcasts {@code weight} to {@code shape} with NumPy/PyTorch rules (trailing dimensions aligned,
   * size-1 dimensions stretched).
   *
   * @throws IllegalArgumentException naming {@code name} and both shapes when they do not broadcast,
   *     or when broadcasting would enlarge the loss itself
   */
  public static double[] broadcast(INDArray weight, long[] shape, String name) {
    long[] ws = weight.shape();
    double[] w = Tensors.toDoubles(weight);
    if (Arrays.equals(ws, shape)) {
      return w;
    }
    if (ws.length > shape.length) {
      throw notBroadcastable(name, ws, shape);
    }
    int r = shape.length;
    long[] aligned = new long[r];
    Arrays.fill(aligned, 1);
    System.arraycopy(ws, 0, aligned, r - ws.length, ws.length);
    for (int d = 0; d < r; d++) {
      if (aligned[d] != 1 && aligned[d] != shape[d]) {
        throw notBroadcastable(name, ws, shape);
      }
    }
    long total = 1;
    for (long d : shape) {
      total *= d;
    }
    double[] out = new double[Math.toIntExact(total)];
    long[] wStride = new long[r];
    long s = 1;
    for (int d = r - 1; d >= 0; d--) {
      wStride[d] = aligned[d] == 1 ? 0 : s;
      s *= aligned[d];
    }
    int[] idx = new int[r];
    for (int i = 0; i < out.length; i++) {
      long off = 0;
      for (int d = 0; d < r; d++) {
        off += idx[d] * wStride[d];
      }
      out[i] = w[(int) off];
      for (int d = r - 1; d >= 0; d--) {
        if (++idx[d] < shape[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return out;
  }

  private static IllegalArgumentException notBroadcastable(String name, long[] ws, long[] shape) {
    return new IllegalArgumentException(name + " must broadcast to the element-wise loss shape "
        + Arrays.toString(shape).replace(" ", "") + "; got " + Arrays.toString(ws).replace(" ", ""));
  }
}
