package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Helpers shared by the regression and IoU-family losses: parameter checks that name the key, the
 * pred-versus-target shape check, and PyTorch's subgradient conventions for the non-smooth
 * operations the MMDetection formulas use.
 */
final class RegressionSupport {
  private RegressionSupport() {}

  /** @throws IllegalArgumentException unless {@code v} is finite and {@code > 0} */
  static double positive(String name, double v) {
    if (!(v > 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be a finite number > 0; got " + v);
    }
    return v;
  }

  /** @throws IllegalArgumentException unless {@code v} is finite and {@code >= 0} */
  static double nonNegative(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be a finite number >= 0; got " + v);
    }
    return v;
  }

  /** Reads {@code key} (default {@code def}) and requires it finite and positive. */
  static double positive(Config c, String key, double def) {
    double v = c.getDouble(key, def);
    try {
      return positive(key, v);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf(key), e.getMessage());
    }
  }

  /** Reads {@code key} (default {@code def}) and requires it finite and non-negative. */
  static double nonNegative(Config c, String key, double def) {
    double v = c.getDouble(key, def);
    try {
      return nonNegative(key, v);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf(key), e.getMessage());
    }
  }

  /**
   * The single target of an element-wise regression loss, which must have the prediction's shape.
   *
   * @throws IllegalArgumentException naming both shapes
   */
  static INDArray sameShapeTarget(LossArgs args) {
    INDArray target = args.target();
    if (!Arrays.equals(target.shape(), args.pred().shape())) {
      throw new IllegalArgumentException("target must have pred's shape " + Tensors.shapeOf(args.pred())
          + "; got " + Tensors.shapeOf(target));
    }
    return target;
  }

  /**
   * Whether PyTorch would run this call in float32 (both operands float32), so that branch
   * decisions such as {@code |d| < beta} are taken on float32 values exactly as MMDetection takes
   * them.
   */
  static boolean float32(INDArray a, INDArray b) {
    return a.dataType() == DataType.FLOAT && b.dataType() == DataType.FLOAT;
  }

  /** {@code |p - t|} rounded as the call's precision would round it. */
  static double absDiff(double p, double t, boolean f32) {
    return f32 ? Math.abs((float) p - (float) t) : Math.abs(p - t);
  }

  /** The derivative of {@code |x|} as PyTorch defines it: {@code sign(x)}, 0 at 0. */
  static double sign(double x) {
    return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0;
  }

  /**
   * {@code d max(a, b) / d a} with PyTorch's rule for ties: a tie sends half the gradient to each
   * side, which is what MMDetection's gradients for touching or identical boxes are built on.
   */
  static double dMaxFirst(double a, double b) {
    return a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }

  /** {@code d min(a, b) / d a}, ties split as in {@link #dMaxFirst}. */
  static double dMinFirst(double a, double b) {
    return a < b ? 1.0 : a == b ? 0.5 : 0.0;
  }

  /**
   * {@code d clamp(x, min=lo) / d x}: PyTorch passes the gradient where {@code x >= lo}
   * (inclusive), so a zero-width overlap still gets one.
   */
  static double dClampMin(double x, double lo) {
    return x >= lo ? 1.0 : 0.0;
  }

  /** An element-wise loss whose element {@code i} depends on prediction element {@code i} only. */
  static Elementwise diagonal(long[] shape, double[] values, double[] derivative) {
    return new Elementwise(shape, values, up -> {
      double[] g = new double[derivative.length];
      for (int i = 0; i < g.length; i++) {
        // A zero upstream (zero weight) must give a zero gradient even where the local
        // derivative is large; the product is 0 unless the derivative is not finite.
        g[i] = up[i] == 0 ? 0.0 : up[i] * derivative[i];
      }
      return g;
    });
  }
}
