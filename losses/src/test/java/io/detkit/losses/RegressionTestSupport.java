package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.detkit.core.tensor.Tensors;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Inputs and a central-difference gradient check for the regression and IoU-family loss tests. */
final class RegressionTestSupport {
  private RegressionTestSupport() {}

  static INDArray f64(double[] data, long... shape) {
    return Tensors.create(data, DataType.DOUBLE, shape);
  }

  static INDArray f32(double[] data, long... shape) {
    return Tensors.create(data, DataType.FLOAT, shape);
  }

  /** {@code n} values uniform in {@code [lo, hi)}. */
  static double[] uniform(Random rnd, int n, double lo, double hi) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = lo + (hi - lo) * rnd.nextDouble();
    }
    return out;
  }

  /**
   * Targets for element-wise losses whose differences to {@code pred} keep at least
   * {@code margin} away from every value in {@code kinks}, so that a finite difference never
   * crosses a branch.
   */
  static double[] targetsAwayFrom(Random rnd, double[] pred, double margin, double... kinks) {
    double[] t = new double[pred.length];
    for (int i = 0; i < t.length; i++) {
      while (true) {
        t[i] = pred[i] + (rnd.nextDouble() * 4 - 2);
        double d = Math.abs(pred[i] - t[i]);
        boolean ok = d > margin;
        for (double k : kinks) {
          ok &= Math.abs(d - k) > margin;
        }
        if (ok) {
          break;
        }
      }
    }
    return t;
  }

  /** {@code n} target boxes, x1 and y1 in [0, 50), widths and heights in [10, 40). */
  static double[] targetBoxes(Random rnd, int n) {
    double[] b = new double[4 * n];
    for (int i = 0; i < n; i++) {
      double x = 50 * rnd.nextDouble();
      double y = 50 * rnd.nextDouble();
      b[4 * i] = x;
      b[4 * i + 1] = y;
      b[4 * i + 2] = x + 10 + 30 * rnd.nextDouble();
      b[4 * i + 3] = y + 10 + 30 * rnd.nextDouble();
    }
    return b;
  }

  /**
   * Predictions near {@code target}: each coordinate moved by up to {@code jitter} (widths kept
   * positive); row 0 is moved 200 to the right, so it overlaps nothing.
   */
  static double[] predBoxes(Random rnd, double[] target, double jitter) {
    double[] p = new double[target.length];
    for (int i = 0; i < target.length; i += 4) {
      do {
        for (int k = 0; k < 4; k++) {
          p[i + k] = target[i + k] + jitter * (2 * rnd.nextDouble() - 1);
        }
      } while (p[i + 2] - p[i] < 2 || p[i + 3] - p[i + 1] < 2);
    }
    p[0] += 200;
    p[2] += 200;
    return p;
  }

  /** The scalar whose gradient {@link LossResult#gradPred()} is: {@code sum(upstream * value)}. */
  static double objective(LossResult r, double[] upstream) {
    double[] v = Tensors.toDoubles(r.value());
    double s = 0;
    for (int i = 0; i < v.length; i++) {
      s += (upstream == null ? 1.0 : upstream[i]) * v[i];
    }
    return s;
  }

  /**
   * Compares the analytic gradient of {@code loss} at {@code pred} (float64) with central
   * differences of the objective, element by element.
   *
   * @param argsOf the call for a given prediction (targets, weight, avg_factor, override)
   * @param upstream the upstream gradient (flat, the output's length) or null for ones
   */
  static void checkGradient(Loss loss, double[] pred, long[] shape, Function<INDArray, LossArgs> argsOf,
      double[] upstream) {
    LossArgs args = argsOf.apply(f64(pred, shape));
    if (upstream != null) {
      LossResult plain = loss.forward(args);
      args = args.upstream(f64(upstream, plain.value().shape()));
    }
    LossResult r = loss.forward(args);
    assertThat(r.gradPred().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(r.gradPred().shape()).isEqualTo(shape);
    double[] g = Tensors.toDoubles(r.gradPred());
    for (int i = 0; i < pred.length; i++) {
      double h = 1e-6 * Math.max(1, Math.abs(pred[i]));
      double[] plus = pred.clone();
      double[] minus = pred.clone();
      plus[i] += h;
      minus[i] -= h;
      double fd = (objective(loss.forward(argsOf.apply(f64(plus, shape))), upstream)
          - objective(loss.forward(argsOf.apply(f64(minus, shape))), upstream)) / (2 * h);
      if (!(Math.abs(g[i] - fd) <= 1e-6 + 1e-5 * Math.abs(fd))) {
        fail(loss + ": d/dpred[" + i + "] analytic " + g[i] + " vs finite difference " + fd);
      }
    }
  }

  static void assertAllFinite(INDArray a, String what) {
    double[] v = Tensors.toDoubles(a);
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        fail(what + " element " + i + " is " + v[i]);
      }
    }
  }
}
