package io.detkit.losses;

import java.util.function.UnaryOperator;

/**
 * Step 2's output: an element-wise (or sample-wise) loss, flat in C order with its shape, and the
 * backward map that turns the gradient with respect to each loss element into the gradient with
 * respect to the prediction (flat, in the prediction's C order).
 *
 * <p>Kernels compute in double precision on primitive arrays; the pipeline casts results back to
 * the prediction's dtype.
 *
 * @param shape the loss's shape; its element count must equal {@code values.length}
 * @param values the loss, flat in C order
 * @param backward dS/dloss (length {@code values.length}) to dS/dpred (the prediction's length)
 */
public record Elementwise(long[] shape, double[] values, UnaryOperator<double[]> backward) {
  /** @throws IllegalArgumentException if {@code shape} does not hold {@code values.length} elements */
  public Elementwise {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n != values.length) {
      throw new IllegalArgumentException("loss shape " + java.util.Arrays.toString(shape) + " holds " + n
          + " elements but the kernel produced " + values.length);
    }
  }

  /**
   * A loss whose element {@code i} depends on prediction element {@code i} only, with
   * {@code d loss_i / d pred_i = derivative[i]}. The gradient is the plain product
   * {@code upstream[i] * derivative[i]}, so a zero upstream meets an infinite derivative as NaN,
   * as it does in PyTorch (the classification losses keep that).
   */
  static Elementwise diagonal(long[] shape, double[] values, double[] derivative) {
    return diagonal(shape, values, derivative, false);
  }

  /**
   * As {@link #diagonal}, except that a zero upstream (a zero weight) gives a zero gradient even
   * where the derivative is not finite (the regression losses' rule).
   */
  static Elementwise diagonalZeroSafe(long[] shape, double[] values, double[] derivative) {
    return diagonal(shape, values, derivative, true);
  }

  private static Elementwise diagonal(long[] shape, double[] values, double[] derivative, boolean zeroSafe) {
    return new Elementwise(shape, values, up -> {
      double[] g = new double[derivative.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = zeroSafe && up[i] == 0 ? 0.0 : up[i] * derivative[i];
      }
      return g;
    });
  }

  /** dS/dpred given dS/dloss (same length as {@link #values()}). */
  public double[] pullBack(double[] upstream) {
    return backward.apply(upstream);
  }
}
