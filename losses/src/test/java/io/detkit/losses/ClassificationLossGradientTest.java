package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The analytic gradient of every classification loss matches float64 central differences, for
 * every reduction, with and without weight and avg_factor, under 'none' with a random upstream.
 */
class ClassificationLossGradientTest {
  private static final double H = 1e-6;

  @TestFactory
  Stream<DynamicTest> analyticGradientMatchesFiniteDifferences() {
    List<DynamicTest> tests = new ArrayList<>();
    for (LossScenarios.Scenario s : LossScenarios.classification()) {
      for (Reduction r : Reduction.values()) {
        boolean ghmcSum = s.weight() == null && r == Reduction.SUM;
        if (ghmcSum) {
          continue;
        }
        for (boolean weighted : s.weight() == null ? new boolean[] {false} : new boolean[] {false, true}) {
          boolean[] avgOptions = s.takesAvgFactor() && r != Reduction.SUM ? new boolean[] {false, true}
              : new boolean[] {false};
          for (boolean avg : avgOptions) {
            String name = s.name() + " / " + r.key() + (weighted ? " / weight" : "") + (avg ? " / avg_factor" : "");
            tests.add(DynamicTest.dynamicTest(name, () -> check(s, r, weighted, avg)));
          }
        }
      }
    }
    return tests.stream();
  }

  private static void check(LossScenarios.Scenario s, Reduction r, boolean weighted, boolean avg) {
    Loss loss = s.build(r, 1.7);
    LossArgs base = s.args();
    if (weighted) {
      base = base.weight(s.weight());
    }
    if (avg) {
      base = base.avgFactor(3.5);
    }
    LossResult result = loss.forward(base);
    INDArray upstream = null;
    if (r == Reduction.NONE) {
      double[] u = LossScenarios.uniform(new Random(7), (int) result.value().length(), -1.5, 1.5);
      upstream = Tensors.create(u, DataType.DOUBLE, result.value().shape());
      result = loss.forward(base.upstream(upstream));
    }
    double[] analytic = Tensors.toDoubles(result.gradPred());
    double[] x = Tensors.toDoubles(s.pred());
    long[] shape = s.pred().shape();
    assertThat(result.gradPred().dataType()).isEqualTo(DataType.DOUBLE);
    assertThat(result.gradPred().shape()).isEqualTo(shape);
    double[] u = upstream == null ? null : Tensors.toDoubles(upstream);
    // Every coordinate once per loss form (plain 'mean'); the other combinations along random
    // directions, which any wrong coordinate would tilt as well, at a fraction of the calls.
    boolean everyCoordinate = r == Reduction.MEAN && !weighted && !avg;
    Random rnd = new Random(11);
    int checks = everyCoordinate ? x.length : 3;
    for (int k = 0; k < checks; k++) {
      double[] dir = new double[x.length];
      if (everyCoordinate) {
        dir[k] = 1.0;
      } else {
        for (int i = 0; i < dir.length; i++) {
          dir[i] = rnd.nextGaussian();
        }
      }
      double scale = 1.0;
      for (int i = 0; i < x.length; i++) {
        scale = Math.max(scale, Math.abs(x[i]) * Math.abs(dir[i]));
      }
      double h = H * scale;
      double[] plus = x.clone();
      double[] minus = x.clone();
      double directional = 0;
      for (int i = 0; i < x.length; i++) {
        plus[i] += h * dir[i];
        minus[i] -= h * dir[i];
        directional += analytic[i] * dir[i];
      }
      double fd = (objective(loss, base, plus, shape, u) - objective(loss, base, minus, shape, u)) / (2 * h);
      assertThat(directional).as("%s derivative %d of %s", everyCoordinate ? "coordinate" : "directional", k,
          s.name()).isCloseTo(fd, org.assertj.core.data.Offset.offset(2e-6 + 2e-5 * Math.abs(fd)));
    }
  }

  /** {@code sum(upstream * loss)} at {@code x}, the scalar whose gradient the loss returns. */
  private static double objective(Loss loss, LossArgs base, double[] x, long[] shape, double[] upstream) {
    INDArray pred = Tensors.create(x, DataType.DOUBLE, shape);
    LossArgs args = LossArgs.of(pred, targetsOf(base));
    if (base.weight().isPresent()) {
      args = args.weight(base.weight().get());
    }
    if (base.avgFactor().isPresent()) {
      args = args.avgFactor(base.avgFactor().getAsDouble());
    }
    double[] v = Tensors.toDoubles(loss.forward(args).value());
    double sum = 0;
    for (int i = 0; i < v.length; i++) {
      sum += (upstream == null ? 1.0 : upstream[i]) * v[i];
    }
    return sum;
  }

  private static INDArray[] targetsOf(LossArgs args) {
    INDArray[] t = new INDArray[args.targetCount()];
    for (int i = 0; i < t.length; i++) {
      t[i] = args.target(i);
    }
    return t;
  }
}
