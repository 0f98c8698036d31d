package io.detkit.losses;

import io.detkit.core.tensor.Tensors;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scalar numerics and argument checks shared by the classification losses. Every formula is in a
 * form that stays finite for logits of any magnitude and for probabilities exactly 0 or 1.
 */
final class ClsMath {
  /** torch's clamp on {@code log} inside {@code F.binary_cross_entropy}. */
  static final double BCE_LOG_FLOOR = -100.0;
  /** torch's floor on {@code p * (1 - p)} in the backward of {@code F.binary_cross_entropy}. */
  static final double BCE_GRAD_EPS = 1e-12;

  private ClsMath() {}

  /** The logistic function without overflow: exp is only taken of non-positive arguments. */
  static double sigmoid(double x) {
    if (x >= 0) {
      return 1.0 / (1.0 + Math.exp(-x));
    }
    double e = Math.exp(x);
    return e / (1.0 + e);
  }

  /** {@code log(1 + exp(x))} without overflow. */
  static double softplus(double x) {
    return Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /** {@code F.binary_cross_entropy_with_logits(x, t)}: {@code softplus(x) - x * t}, finite for any x. */
  static double bceWithLogits(double x, double t) {
    return Math.max(x, 0.0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
  }

  /**
   * BCE with logits and torch's {@code pos_weight} {@code pw}: {@code (1 - t) x + (1 + (pw - 1) t)
   * softplus(-x)}.
   */
  static double bceWithLogits(double x, double t, double pw) {
    return (1 - t) * x + (1 + (pw - 1) * t) * softplus(-x);
  }

  /** d/dx of {@link #bceWithLogits(double, double, double)}. */
  static double bceWithLogitsGrad(double x, double t, double pw) {
    return (1 - t) - (1 + (pw - 1) * t) * sigmoid(-x);
  }

  /** {@code F.binary_cross_entropy(p, t)} with torch's clamp of each log at -100. */
  static double bceProb(double p, double t) {
    double lp = Math.max(Math.log(p), BCE_LOG_FLOOR);
    double lq = Math.max(Math.log1p(-p), BCE_LOG_FLOOR);
    // 0 * (-100) stays 0, so exact 0/1 targets ignore the clamped side as torch does.
    return -(t * lp + (1 - t) * lq);
  }

  /** torch's backward of {@code F.binary_cross_entropy}: {@code (p - t) / max(p (1 - p), 1e-12)}. */
  static double bceProbGrad(double p, double t) {
    return (p - t) / Math.max((1 - p) * p, BCE_GRAD_EPS);
  }

  /**
   * {@code base^e}, with {@code 0^0 = 1} as torch. Negative bases only arise from rounding and are
   * treated as 0.
   */
  static double pow(double base, double e) {
    if (e == 0) {
      return 1.0;
    }
    return base <= 0 ? 0.0 : Math.pow(base, e);
  }

  /**
   * {@code scale * d(base^e)} where {@code chain} is the derivative of {@code base}:
   * {@code scale * e * base^(e-1) * chain}. A zero {@code scale} or {@code chain} gives 0 even where
   * {@code base^(e-1)} is infinite ({@code base = 0}, {@code e < 1}); torch yields NaN for that
   * 0 * inf, while the product's limit along the curve is 0.
   */
  static double scaledPowGrad(double scale, double base, double e, double chain) {
    if (scale == 0 || chain == 0 || e == 0) {
      return 0.0;
    }
    if (base <= 0) {
      if (e > 1) {
        return 0.0;
      }
      return e == 1 ? scale * chain : scale * chain * Double.POSITIVE_INFINITY;
    }
    return scale * e * Math.pow(base, e - 1) * chain;
  }

  /** The shape as {@code [24,4]}. */
  static String shape(long... s) {
    return Arrays.toString(s).replace(" ", "");
  }

  /**
   * Integer class labels of {@code labels} (any numeric dtype), each in {@code [lo, hi]} or equal to
   * {@code allowed} (pass {@code Long.MIN_VALUE} for none).
   *
   * @throws IllegalArgumentException naming {@code name}, the first bad index, its value and the range
   */
  static long[] labels(INDArray labels, String name, long lo, long hi, long allowed, String rangeNote) {
    double[] v = Tensors.toDoubles(labels);
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      double d = v[i];
      if (d != Math.rint(d) || Double.isInfinite(d)) {
        throw new IllegalArgumentException(name + " must hold integer class ids; element " + i + " is " + d);
      }
      long l = (long) d;
      if ((l < lo || l > hi) && l != allowed) {
        String low = lo == Long.MIN_VALUE ? "-inf" : String.valueOf(lo);
        throw new IllegalArgumentException(name + "[" + i + "] = " + l + " is out of range [" + low + ", " + hi + "]"
            + (rangeNote.isEmpty() ? "" : " (" + rangeNote + ")"));
      }
      out[i] = l;
    }
    return out;
  }

  /**
   * Requires every element of {@code v} to lie in {@code [lo, hi]}.
   *
   * @throws IllegalArgumentException naming {@code name}, the index and value
   */
  static void requireRange(double[] v, String name, double lo, double hi, String what) {
    for (int i = 0; i < v.length; i++) {
      if (!(v[i] >= lo && v[i] <= hi)) {
        throw new IllegalArgumentException(name + " must hold " + what + " in [" + lo + ", " + hi + "]; element " + i
            + " is " + v[i]);
      }
    }
  }

  /** Requires {@code pred} to be {@code [N,C]}. */
  static void requirePred2d(INDArray pred, String lossType) {
    if (pred.rank() != 2) {
      throw new IllegalArgumentException(lossType + ": pred must be [N,C] scores; got " + Tensors.shapeOf(pred));
    }
  }

  /** Requires {@code target} to have {@code pred}'s shape. */
  static void requireSameShape(INDArray pred, INDArray target, String name, String lossType) {
    if (!Arrays.equals(pred.shape(), target.shape())) {
      throw new IllegalArgumentException(lossType + ": " + name + " must have pred's shape " + Tensors.shapeOf(pred)
          + "; got " + Tensors.shapeOf(target));
    }
  }

  /** Requires the floating-point {@code values} to be finite. */
  static void requireFinite(double[] v, String name) {
    Tensors.requireFinite(v, name);
  }
}
