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

  /**
   * The per-element binary cross-entropy that the sigmoid losses are built on, with the
   * probability it scores: {@code p = sigmoid(x)} for logits, {@code p = x} for probabilities
   * ({@code activated}). {@code q} is {@code 1 - p}, taken from the other tail for logits so that
   * it does not cancel to 0 for large ones; {@code grad} is {@code d loss / dx} and {@code dp} is
   * {@code dp / dx}.
   */
  record Bce(double[] p, double[] q, double[] loss, double[] grad, double[] dp) {
    /** {@code BCE(x, t)} element-wise; {@code activated} applies torch's clamped BCE on probabilities. */
    static Bce of(double[] x, double[] t, boolean activated) {
      int m = x.length;
      Bce b = new Bce(new double[m], new double[m], new double[m], new double[m], new double[m]);
      for (int i = 0; i < m; i++) {
        if (activated) {
          b.p[i] = x[i];
          b.q[i] = 1 - x[i];
          b.loss[i] = bceProb(x[i], t[i]);
          b.grad[i] = bceProbGrad(x[i], t[i]);
          b.dp[i] = 1.0;
        } else {
          double s = sigmoid(x[i]);
          double sm = sigmoid(-x[i]);
          b.p[i] = s;
          b.q[i] = sm;
          b.loss[i] = bceWithLogits(x[i], t[i]);
          b.grad[i] = s - t[i];
          b.dp[i] = s * sm;
        }
      }
      return b;
    }

    /**
     * Element {@code i} modulated by its distance to the target {@code y}, as QualityFocalLoss and
     * VarifocalLoss do: {@code loss * scale * |p - y|^e}, into {@code out[i]} and its derivative
     * with respect to x into {@code dOut[i]}.
     */
    void modulateByDistance(int i, double y, double scale, double e, double[] out, double[] dOut) {
      double diff = p[i] - y;
      modulate(loss[i], grad[i], scale, Math.abs(diff), e, Math.signum(diff) * dp[i], out, dOut, i);
    }
  }

  /**
   * The focal-style product {@code term * scale * base^e} into {@code out[i]} and its derivative
   * into {@code dOut[i]}, where {@code dTerm} and {@code dBase} are the derivatives of
   * {@code term} and {@code base}. The modulating factor is differentiated too, as MMDetection's
   * Python losses do (it is not detached).
   */
  static void modulate(double term, double dTerm, double scale, double base, double e, double dBase, double[] out,
      double[] dOut, int i) {
    double w = scale * pow(base, e);
    out[i] = term * w;
    dOut[i] = dTerm * w + scaledPowGrad(term * scale, base, e, dBase);
  }

  /**
   * The flat {@code [N,C]} target of {@code [N]} class ids: row {@code i} holds {@code value[i]}
   * (1 when {@code value} is null) at its label's column; labels outside {@code [0, C)} (the
   * background, {@code C}) give an all-zero row.
   */
  static double[] oneHot(long[] labels, int c, double[] value) {
    double[] t = new double[labels.length * c];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= 0 && labels[i] < c) {
        t[i * c + (int) labels[i]] = value == null ? 1.0 : value[i];
      }
    }
    return t;
  }

  /**
   * Each of the {@code N} row values repeated over {@code c} columns: MMDetection's {@code [N,1]}
   * weight expanded to {@code [N,C]}.
   */
  static double[] repeatRows(double[] rows, int c) {
    double[] out = new double[rows.length * c];
    for (int i = 0; i < rows.length; i++) {
      Arrays.fill(out, i * c, (i + 1) * c, rows[i]);
    }
    return out;
  }

  /**
   * The softmax of the {@code c} logits {@code x[base + j * stride]} into the same positions of
   * {@code prob}, returning their log-sum-exp (computed around the maximum so that it does not
   * overflow). CrossEntropyLoss and DistributionFocalLoss take {@code lse - x[y]} as the loss and
   * {@code prob - onehot(y)} as its gradient.
   */
  static double logSoftmax(double[] x, int base, int stride, int c, double[] prob) {
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < c; j++) {
      max = Math.max(max, x[base + j * stride]);
    }
    double sum = 0;
    for (int j = 0; j < c; j++) {
      sum += Math.exp(x[base + j * stride] - max);
    }
    double lse = max + Math.log(sum);
    for (int j = 0; j < c; j++) {
      prob[base + j * stride] = Math.exp(x[base + j * stride] - lse);
    }
    return lse;
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

  /**
   * The {@code [N,C]} scores of a sigmoid loss, flat: logits, or probabilities when
   * {@code activated}.
   *
   * @throws IllegalArgumentException if {@code pred} is not rank 2, or is {@code activated} with a
   *     value outside [0, 1]
   */
  static double[] scores(INDArray pred, String lossType, boolean activated) {
    requirePred2d(pred, lossType);
    double[] x = Tensors.toDoubles(pred);
    if (activated) {
      requireRange(x, lossType + " (activated=True): pred", 0.0, 1.0, "probabilities");
    }
    return x;
  }

  /** Requires {@code pred} to be {@code [N,C]}. */
  static void requirePred2d(INDArray pred, String lossType) {
    if (pred.rank() != 2) {
      throw new IllegalArgumentException(lossType + ": pred must be [N,C] scores; got " + Tensors.shapeOf(pred));
    }
  }
}
