package io.detkit.losses;

import java.util.function.UnaryOperator;

/**
 * Step 2's output: an element-wise (or sample-wise) loss, flat in C order with its shape, and the
 * backward map that turns the gradient with respect to each loss element into the gradient with
 * respect to the prediction (flat, in the prediction's C order).
 *
 * <p>Kernels compute in double precision on primitive arrays; the pipeline casts results back to
 * the prediction's dtype.
 */
public record Elementwise(long[] shape, double[] values, UnaryOperator<double[]> backward) {
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

  /** dS/dpred given dS/dloss (same length as {@link #values()}). */
  public double[] pullBack(double[] upstream) {
    return backward.apply(upstream);
  }
}
