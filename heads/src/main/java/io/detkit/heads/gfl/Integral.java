package io.detkit.heads.gfl;

import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GFL's {@code Integral} projection: a box side predicted as a discrete distribution over the bins
 * {@code 0, 1, ..., reg_max} becomes the distance {@code sum_k softmax(x)_k * k}, the distribution's
 * expectation. A row of {@code 4 * (reg_max + 1)} logits (side-major: left, top, right, bottom, each
 * {@code reg_max + 1} bins) gives the four distances, in stride units.
 *
 * <p>The gradient ({@link #backward}) is {@code d sum_s u_s * d_s / d x_{s,k} = u_s * p_{s,k} * (k -
 * d_s)}. Float32 inputs give float32-rounded results (softmax and expectation are computed in double
 * and rounded once, within an ulp or two of PyTorch's float32 kernels); float64 inputs stay float64.
 *
 * <p>Immutable and thread-safe.
 */
public final class Integral {
  private final int regMax;

  /**
   * @param regMax the largest bin, {@code >= 1} (GFL's default 16)
   * @throws IllegalArgumentException if {@code regMax < 1}
   */
  public Integral(int regMax) {
    if (regMax < 1) {
      throw new IllegalArgumentException("reg_max must be >= 1; got " + regMax);
    }
    this.regMax = regMax;
  }

  /** The largest bin. */
  public int regMax() {
    return regMax;
  }

  /** Bins per side: {@code reg_max + 1}. */
  public int bins() {
    return regMax + 1;
  }

  /**
   * The distances of {@code x}.
   *
   * @param x {@code [N, 4 * (reg_max + 1)]} logits, FLOAT or DOUBLE, finite
   * @return {@code [N, 4]} in {@code x}'s dtype
   * @throws IllegalArgumentException for another shape, dtype or a non-finite logit
   */
  public INDArray forward(INDArray x) {
    int n = rows(x, "x");
    boolean f32 = x.dataType() != DataType.DOUBLE;
    return Tensors.create(forward(Tensors.toDoubles(x), n, f32), x.dataType(), n, 4);
  }

  /**
   * The gradient with respect to {@code x} of {@code sum(upstream * forward(x))}.
   *
   * @param upstream {@code [N, 4]}
   * @return {@code [N, 4 * (reg_max + 1)]} in {@code x}'s dtype
   * @throws IllegalArgumentException for shapes that do not fit or non-finite values
   */
  public INDArray backward(INDArray x, INDArray upstream) {
    int n = rows(x, "x");
    Tensors.requireNonNull(upstream, "upstream");
    Tensors.requireShape(upstream, "upstream", n, 4);
    Tensors.requireFinite(upstream, "upstream");
    boolean f32 = x.dataType() != DataType.DOUBLE;
    double[] g = backward(Tensors.toDoubles(x), n, Tensors.toDoubles(upstream), f32);
    return Tensors.create(g, x.dataType(), n, 4L * bins());
  }

  /**
   * Primitive form of {@link #forward(INDArray)}: {@code x} holds {@code n} rows of
   * {@code 4 * (reg_max + 1)} logits; returns {@code 4 * n} distances, float32-rounded when {@code f32}.
   */
  public double[] forward(double[] x, int n, boolean f32) {
    checkLength(x, n);
    int b = bins();
    double[] out = new double[4 * n];
    double[] p = new double[b];
    for (int s = 0; s < 4 * n; s++) {
      double e = expectation(x, s * b, p, f32);
      out[s] = f32 ? (float) e : e;
    }
    return out;
  }

  /**
   * Primitive form of {@link #backward(INDArray, INDArray)}: {@code upstream} holds {@code 4 * n}
   * values; returns {@code 4 * (reg_max + 1) * n}.
   */
  public double[] backward(double[] x, int n, double[] upstream, boolean f32) {
    checkLength(x, n);
    if (upstream.length != 4L * n) {
      throw new IllegalArgumentException("upstream must hold 4 values per row (" + 4L * n + "); got "
          + upstream.length);
    }
    int b = bins();
    double[] g = new double[x.length];
    double[] p = new double[b];
    for (int s = 0; s < 4 * n; s++) {
      double e = expectation(x, s * b, p, false);
      for (int k = 0; k < b; k++) {
        double v = upstream[s] * p[k] * (k - e);
        g[s * b + k] = f32 ? (float) v : v;
      }
    }
    return g;
  }

  /**
   * The expected bin {@code sum_k k * p[k]} of the softmax of the {@code bins()} logits at
   * {@code from}, with the probabilities left in {@code p} (the backward pass reads them).
   */
  private double expectation(double[] x, int from, double[] p, boolean f32) {
    softmax(x, from, p, f32);
    double e = 0;
    for (int k = 0; k < p.length; k++) {
      e += p[k] * k;
    }
    return e;
  }

  /** Softmax of the {@code bins()} logits at {@code from}, shifted by their maximum for stability. */
  private void softmax(double[] x, int from, double[] p, boolean f32) {
    int b = p.length;
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < b; k++) {
      max = Math.max(max, x[from + k]);
    }
    double sum = 0;
    for (int k = 0; k < b; k++) {
      p[k] = Math.exp(x[from + k] - max);
      sum += p[k];
    }
    for (int k = 0; k < b; k++) {
      p[k] = f32 ? (float) (p[k] / sum) : p[k] / sum;
    }
  }

  private int rows(INDArray x, String name) {
    Tensors.requireNonNull(x, name);
    Tensors.requireFloating(x, name);
    if (x.rank() != 2 || x.size(1) != 4L * bins()) {
      throw new IllegalArgumentException(name + " must be [N, 4 * (reg_max + 1)] = [N, " + 4L * bins()
          + "] (reg_max=" + regMax + "); got " + Tensors.shapeOf(x));
    }
    Tensors.requireFinite(x, name);
    return (int) x.size(0);
  }

  private void checkLength(double[] x, int n) {
    Tensors.requireNonNull(x, "x");
    if (n < 0 || x.length != 4L * bins() * n) {
      throw new IllegalArgumentException("x must hold " + n + " rows of 4 * (reg_max + 1) = " + 4L * bins()
          + " logits; got " + x.length + " values");
    }
    Tensors.requireFinite(x, "x");
  }

  @Override
  public String toString() {
    return "Integral(reg_max=" + regMax + ")";
  }
}
