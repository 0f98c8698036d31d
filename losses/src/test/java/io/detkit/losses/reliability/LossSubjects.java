package io.detkit.losses.reliability;

import static io.detkit.losses.ClsScenarios.normal;
import static io.detkit.losses.ClsScenarios.uniform;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.ClsScenarios;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.Losses;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One representative configuration of every registered loss with a generator of valid inputs, for
 * the reliability tests (non-finite inputs, extreme values, properties, threads).
 */
final class LossSubjects {
  private LossSubjects() {}

  /** What a loss's inputs look like, so that the generator can make valid ones. */
  enum Kind {
    /** Logits against class ids, plus weights. */
    LOGITS,
    /** Probabilities (GaussianFocalLoss). */
    PROBABILITIES,
    /** Element-wise regression targets. */
    DELTAS,
    /** (x1, y1, x2, y2) boxes (the IoU family). */
    BOXES
  }

  /**
   * @param name the label shown by parameterized tests
   * @param config the loss config without {@code reduction} / {@code check_finite}
   * @param floatSlots indices (0 = pred, 1.. = targets) of floating-point inputs that may hold NaN
   * @param takesWeight whether {@code LossArgs.weight} is accepted (GHM losses take label weights as
   *     a target and reject sum)
   */
  record Subject(String name, Kind kind, Config config, Inputs inputs, int[] floatSlots, boolean takesWeight) {
    Loss build(String reduction, boolean checkFinite) {
      return Losses.build(config.with("reduction", reduction).with("check_finite", checkFinite));
    }

    boolean isGhm() {
      return config.type().orElse("").startsWith("GHM");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Arrays {pred, targets..., weight-or-null} for {@code n} rows. */
  @FunctionalInterface
  interface Inputs {
    INDArray[] make(Random rnd, int n, DataType t, double scale);
  }

  /** {@link LossArgs} from {@code arrays} (pred, targets..., weight); the weight only when wanted. */
  static LossArgs args(INDArray[] arrays, boolean withWeight) {
    INDArray[] targets = new INDArray[arrays.length - 2];
    System.arraycopy(arrays, 1, targets, 0, targets.length);
    LossArgs a = LossArgs.of(arrays[0], targets);
    return withWeight && arrays[arrays.length - 1] != null ? a.weight(arrays[arrays.length - 1]) : a;
  }

  static INDArray f(double[] v, DataType t, long... shape) {
    return Tensors.create(v, t, shape);
  }

  static INDArray labels(Random r, int n, int hiInclusive) {
    return Tensors.createLong(ClsScenarios.labels(r, n, 0, hiInclusive), n);
  }

  /** {@code n} boxes of side 4..60 at {@code scale}-sized offsets (scale 1 means pixels up to 100). */
  static double[] boxes(Random r, int n, double scale) {
    double[] b = new double[4 * n];
    for (int i = 0; i < n; i++) {
      double x = r.nextDouble() * 100 * scale;
      double y = r.nextDouble() * 100 * scale;
      b[4 * i] = x;
      b[4 * i + 1] = y;
      b[4 * i + 2] = x + (4 + r.nextDouble() * 56) * scale;
      b[4 * i + 3] = y + (4 + r.nextDouble() * 56) * scale;
    }
    return b;
  }

  /** {@code target} moved by up to a third of each box's size, keeping x1 < x2 and y1 < y2. */
  static double[] jitter(Random r, double[] target) {
    double[] p = new double[target.length];
    for (int i = 0; i < target.length; i += 4) {
      double w = target[i + 2] - target[i];
      double h = target[i + 3] - target[i + 1];
      p[i] = target[i] + (r.nextDouble() - 0.5) * w / 3;
      p[i + 1] = target[i + 1] + (r.nextDouble() - 0.5) * h / 3;
      p[i + 2] = target[i + 2] + (r.nextDouble() - 0.5) * w / 3;
      p[i + 3] = target[i + 3] + (r.nextDouble() - 0.5) * h / 3;
    }
    return p;
  }

  static List<Subject> all() {
    List<Subject> s = new ArrayList<>();
    int c = 4;
    s.add(new Subject("FocalLoss labels", Kind.LOGITS, Config.of("type", "FocalLoss", "gamma", 2.0, "alpha", 0.25),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), labels(r, n, c),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0}, true));
    s.add(new Subject("FocalLoss soft", Kind.LOGITS, Config.of("type", "FocalLoss", "gamma", 1.5, "alpha", 0.5),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), f(uniform(r, n * c, 0, 1), t, n, c),
            f(uniform(r, n * c, 0.2, 2), t, n, c)}, new int[] {0, 1}, true));
    s.add(new Subject("CrossEntropyLoss softmax", Kind.LOGITS, Config.of("type", "CrossEntropyLoss"),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * 5, k), t, n, 5), labels(r, n, 4),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0}, true));
    s.add(new Subject("CrossEntropyLoss sigmoid labels", Kind.LOGITS,
        Config.of("type", "CrossEntropyLoss", "use_sigmoid", true),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), labels(r, n, c),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0}, true));
    s.add(new Subject("CrossEntropyLoss sigmoid soft", Kind.LOGITS,
        Config.of("type", "CrossEntropyLoss", "use_sigmoid", true),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n, k), t, n), f(uniform(r, n, 0, 1), t, n),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0, 1}, true));
    s.add(new Subject("GHMC", Kind.LOGITS, Config.of("type", "GHMC", "bins", 10),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * 3, k), t, n, 3), labels(r, n, 3),
            f(uniform(r, n, 0.2, 1), t, n), null}, new int[] {0, 2}, false));
    s.add(new Subject("QualityFocalLoss", Kind.LOGITS, Config.of("type", "QualityFocalLoss", "beta", 2.0),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), labels(r, n, c),
            f(uniform(r, n, 0, 1), t, n), f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0, 2}, true));
    s.add(new Subject("DistributionFocalLoss", Kind.LOGITS, Config.of("type", "DistributionFocalLoss"),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * 8, k), t, n, 8), f(uniform(r, n, 0, 6.99), t, n),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0, 1}, true));
    s.add(new Subject("VarifocalLoss", Kind.LOGITS, Config.of("type", "VarifocalLoss"),
        (r, n, t, k) -> {
          double[] target = uniform(r, n * c, -0.6, 1);
          for (int i = 0; i < target.length; i++) {
            target[i] = Math.max(0, target[i]);
          }
          return new INDArray[] {f(normal(r, n * c, k), t, n, c), f(target, t, n, c),
              f(uniform(r, n * c, 0.2, 2), t, n, c)};
        }, new int[] {0, 1}, true));
    s.add(new Subject("GaussianFocalLoss", Kind.PROBABILITIES, Config.of("type", "GaussianFocalLoss"),
        (r, n, t, k) -> {
          double[] target = uniform(r, n * c, 0, 1);
          for (int i = 0; i < target.length; i += 3) {
            target[i] = 1;
          }
          return new INDArray[] {f(uniform(r, n * c, 0.01, 0.99), t, n, c), f(target, t, n, c),
              f(uniform(r, n * c, 0.2, 2), t, n, c)};
        }, new int[] {0, 1}, true));
    for (String type : new String[] {"SmoothL1Loss", "L1Loss", "BalancedL1Loss", "MSELoss"}) {
      s.add(new Subject(type, Kind.DELTAS, Config.of("type", type),
          (r, n, t, k) -> new INDArray[] {f(normal(r, n * 4, k), t, n, 4), f(normal(r, n * 4, k), t, n, 4),
              f(uniform(r, n * 4, 0.2, 2), t, n, 4)}, new int[] {0, 1}, true));
    }
    s.add(new Subject("GHMR", Kind.DELTAS, Config.of("type", "GHMR"),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * 4, k), t, n, 4), f(normal(r, n * 4, k), t, n, 4),
            f(uniform(r, n * 4, 0.2, 1), t, n, 4), null}, new int[] {0, 1, 2}, false));
    for (String type : new String[] {"IoULoss", "GIoULoss", "DIoULoss", "CIoULoss", "BoundedIoULoss"}) {
      // BoundedIoULoss is per coordinate ([N,4]); the others are per box ([N]).
      boolean perCoordinate = type.equals("BoundedIoULoss");
      s.add(new Subject(type, Kind.BOXES, Config.of("type", type),
          (r, n, t, k) -> {
            double[] target = boxes(r, n, k);
            INDArray w = perCoordinate ? f(uniform(r, 4 * n, 0.2, 2), t, n, 4) : f(uniform(r, n, 0.2, 2), t, n);
            return new INDArray[] {f(jitter(r, target), t, n, 4), f(target, t, n, 4), w};
          }, new int[] {0, 1}, true));
    }
    return s;
  }
}
