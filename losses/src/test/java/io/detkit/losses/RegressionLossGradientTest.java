package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.checkGradient;
import static io.detkit.losses.RegressionTestSupport.f64;
import static io.detkit.losses.RegressionTestSupport.predBoxes;
import static io.detkit.losses.RegressionTestSupport.targetBoxes;
import static io.detkit.losses.RegressionTestSupport.targetsAwayFrom;
import static io.detkit.losses.RegressionTestSupport.uniform;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every loss's analytic gradient with respect to {@code pred} matches float64 central differences,
 * for every reduction, with and without a weight (of each accepted shape), with and without
 * {@code avg_factor}, with an upstream gradient.
 */
class RegressionLossGradientTest {
  /** A loss under test and a generator of inputs away from its non-smooth points. */
  record Subject(String name, Function<Reduction, Loss> loss, Function<Random, Inputs> inputs, List<String> weights) {
    @Override
    public String toString() {
      return name;
    }
  }

  /** pred, target (flat, of {@code shape}) and, for GHMR, label_weight. */
  record Inputs(double[] pred, double[] target, long[] shape) {}

  private static final List<String> ELEMENTWISE_WEIGHTS = List.of("none", "[N,4]", "[4]");
  private static final List<String> BOX_WEIGHTS = List.of("none", "[N,4]", "[N]");
  private static final List<String> GHM_WEIGHTS = List.of("ones", "mixed");

  static List<Subject> subjects() {
    List<Subject> s = new ArrayList<>();
    s.add(new Subject("SmoothL1Loss(beta=0.5)",
        r -> SmoothL1Loss.TYPE.builder().params(p -> p.withBeta(0.5))
            .options(o -> o.withReduction(r).withLossWeight(1.7)).build(),
        rnd -> elementwise(rnd, 0.5), ELEMENTWISE_WEIGHTS));
    s.add(new Subject("L1Loss", r -> L1Loss.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(0.6)).build(),
        rnd -> elementwise(rnd), ELEMENTWISE_WEIGHTS));
    s.add(new Subject("BalancedL1Loss", r -> BalancedL1Loss.TYPE.builder().options(o -> o.withReduction(r)).build(),
        rnd -> elementwise(rnd, 1.0), ELEMENTWISE_WEIGHTS));
    s.add(new Subject("BalancedL1Loss(beta=0.7)", r -> BalancedL1Loss.TYPE.builder()
        .params(p -> p.withAlpha(0.4).withGamma(1.2).withBeta(0.7))
        .options(o -> o.withReduction(r)).build(), rnd -> elementwise(rnd, 0.7), ELEMENTWISE_WEIGHTS));
    s.add(new Subject("MSELoss", r -> MSELoss.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(2.0))
        .build(),
        rnd -> elementwise(rnd), ELEMENTWISE_WEIGHTS));
    s.add(new Subject("GHMR", r -> GHMR.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(1.5)).build(),
        RegressionLossGradientTest::ghm, GHM_WEIGHTS));
    s.add(new Subject("IoULoss(log)", r -> IoULoss.TYPE.builder().options(o -> o.withReduction(r)).build(),
        rnd -> boxes(rnd, 6), BOX_WEIGHTS));
    s.add(new Subject("IoULoss(linear)", r -> IoULoss.TYPE.builder().params(p -> p.withMode(IoULoss.Mode.LINEAR))
        .options(o -> o.withReduction(r)).build(),
        rnd -> boxes(rnd, 6), BOX_WEIGHTS));
    s.add(new Subject("IoULoss(square)", r -> IoULoss.TYPE.builder().params(p -> p.withMode(IoULoss.Mode.SQUARE))
        .options(o -> o.withReduction(r).withLossWeight(3)).build(), rnd -> boxes(rnd, 6), BOX_WEIGHTS));
    s.add(new Subject("GIoULoss", r -> GIoULoss.TYPE.builder().options(o -> o.withReduction(r)).build(),
        rnd -> boxes(rnd, 6), BOX_WEIGHTS));
    s.add(new Subject("DIoULoss", r -> DIoULoss.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(0.8))
        .build(),
        rnd -> boxes(rnd, 6), BOX_WEIGHTS));
    // alpha is a constant of MMDetection's backward, so only boxes with iou <= 0.5 (alpha = 0) have a
    // gradient equal to the true derivative; CIoULossTest checks the others against a frozen alpha.
    s.add(new Subject("CIoULoss(iou<=0.5)", r -> CIoULoss.TYPE.builder().options(o -> o.withReduction(r)).build(),
        rnd -> lowIouBoxes(rnd, 6), BOX_WEIGHTS));
    s.add(new Subject("BoundedIoULoss", r -> BoundedIoULoss.TYPE.builder().options(o -> o.withReduction(r)).build(),
        rnd -> boxes(rnd, 6), ELEMENTWISE_WEIGHTS));
    return s;
  }

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (Subject s : subjects()) {
      for (Reduction r : Reduction.values()) {
        if (s.name().equals("GHMR") && r == Reduction.SUM) {
          continue;
        }
        for (String w : s.weights()) {
          out.add(Arguments.of(s, r, w, null));
          if (r != Reduction.SUM) {
            out.add(Arguments.of(s, r, w, 3.5));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} weight={2} avg_factor={3}")
  @MethodSource("cases")
  void analyticGradientMatchesFiniteDifferences(Subject s, Reduction r, String weightKind, Double avg) {
    Random rnd = new Random(s.name().hashCode() * 31L + r.ordinal() * 7L + weightKind.hashCode());
    Inputs in = s.inputs().apply(rnd);
    Loss loss = s.loss().apply(r);
    int n = (int) in.shape()[0];
    INDArray target = f64(in.target(), in.shape());
    INDArray weight = weight(rnd, weightKind, n);
    Function<INDArray, LossArgs> argsOf = p -> {
      LossArgs a = weight != null && s.name().equals("GHMR") ? LossArgs.of(p, target, weight)
          : LossArgs.of(p, target).weight(weight);
      return avg == null ? a : a.avgFactor(avg);
    };
    double[] upstream;
    if (r == Reduction.NONE) {
      long size = loss.forward(argsOf.apply(f64(in.pred(), in.shape()))).value().length();
      upstream = uniform(rnd, (int) size, -1.5, 1.5);
    } else {
      upstream = new double[] {1.3};
    }
    checkGradient(loss, in.pred(), in.shape(), argsOf, upstream);
  }

  private static INDArray weight(Random rnd, String kind, int n) {
    switch (kind) {
      case "none":
        return null;
      case "[N,4]":
        return f64(withAZero(uniform(rnd, 4 * n, 0.2, 2.0)), n, 4);
      case "[N]":
        return f64(withAZero(uniform(rnd, n, 0.2, 2.0)), n);
      case "[4]":
        return f64(uniform(rnd, 4, 0.2, 2.0), 4);
      case "ones":
        return f64(filled(4 * n, 1.0), n, 4);
      case "mixed": {
        double[] w = uniform(rnd, 4 * n, 0, 2.0);
        for (int i = 0; i < w.length; i += 3) {
          w[i] = 0;
        }
        return f64(w, n, 4);
      }
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  private static double[] withAZero(double[] w) {
    w[w.length / 2] = 0;
    return w;
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  private static Inputs elementwise(Random rnd, double... kinks) {
    double[] p = uniform(rnd, 24, -3, 3);
    return new Inputs(p, targetsAwayFrom(rnd, p, 1e-3, kinks), new long[] {6, 4});
  }

  private static Inputs boxes(Random rnd, int n) {
    double[] t = targetBoxes(rnd, n);
    return new Inputs(predBoxes(rnd, t, 6), t, new long[] {n, 4});
  }

  /** Boxes whose IoU with their targets stays below 0.45 (CIoU's alpha is then 0). */
  private static Inputs lowIouBoxes(Random rnd, int n) {
    double[] t = targetBoxes(rnd, n);
    double[] p;
    do {
      p = predBoxes(rnd, t, 14);
    } while (maxIou(p, t) > 0.45);
    return new Inputs(p, t, new long[] {n, 4});
  }

  static double maxIou(double[] p, double[] t) {
    double max = 0;
    for (int i = 0; i < p.length; i += 4) {
      double w = Math.max(0, Math.min(p[i + 2], t[i + 2]) - Math.max(p[i], t[i]));
      double h = Math.max(0, Math.min(p[i + 3], t[i + 3]) - Math.max(p[i + 1], t[i + 1]));
      double inter = w * h;
      double union = (p[i + 2] - p[i]) * (p[i + 3] - p[i + 1]) + (t[i + 2] - t[i]) * (t[i + 3] - t[i + 1]) - inter;
      max = Math.max(max, inter / union);
    }
    return max;
  }

  /** GHM-R inputs: differences on the scale of mu (0.02), gradient norms away from the bin edges. */
  private static Inputs ghm(Random rnd) {
    double[] p = uniform(rnd, 32, -2, 2);
    double[] t = new double[p.length];
    for (int i = 0; i < p.length; i++) {
      while (true) {
        double d = 0.12 * rnd.nextDouble() - 0.06;
        double g = Math.abs(d) / Math.sqrt(d * d + 0.0004);
        double toEdge = Math.abs(g * 10 - Math.rint(g * 10));
        if (toEdge > 1e-2) {
          t[i] = p[i] - d;
          break;
        }
      }
    }
    return new Inputs(p, t, new long[] {8, 4});
  }
}
