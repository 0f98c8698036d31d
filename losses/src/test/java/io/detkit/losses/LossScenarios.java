package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The losses' test inputs, one set for the module. {@link #subjects()}: one representative
 * configuration of every registered loss with a generator of valid inputs at any size, dtype and
 * scale (the reliability tests: non-finite inputs, extreme values, properties, threads).
 * {@link #classification()}: fixed-seed float64 scenarios of every classification loss and its
 * variants (the gradient, numerics and pipeline tests); a scenario whose configuration is a
 * subject's is that subject's generator at a fixed size ({@link Subject#at}), the others are the
 * variants only these tests need (class weights, ignored labels, spatial targets, ...).
 */
public final class LossScenarios {
  private LossScenarios() {}

  /** What a loss's inputs look like, so that the generator can make valid ones. */
  public enum Kind {
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
  public record Subject(String name, Kind kind, Config config, Inputs inputs, int[] floatSlots, boolean takesWeight) {
    public Loss build(String reduction, boolean checkFinite) {
      return Losses.build(config.with("reduction", reduction).with("check_finite", checkFinite));
    }

    public boolean isGhm() {
      return config.type().orElse("").startsWith("GHM");
    }

    /**
     * A fixed float64 scenario of this subject: {@code n} rows drawn from {@code r} at scale 2, its
     * weight (when it takes one) as the scenario's weight.
     */
    Scenario at(Random r, int n) {
      INDArray[] a = inputs.make(r, n, DataType.DOUBLE, 2.0);
      INDArray[] targets = Arrays.copyOfRange(a, 1, a.length - 1);
      return new Scenario(name, config, a[0], targets, takesWeight ? a[a.length - 1] : null, takesWeight);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Arrays {pred, targets..., weight-or-null} for {@code n} rows. */
  @FunctionalInterface
  public interface Inputs {
    INDArray[] make(Random rnd, int n, DataType t, double scale);
  }

  /**
   * One loss configuration with inputs: {@code config} lacks {@code reduction} (the tests set it),
   * {@code weight} is null when the loss takes none (GHMC).
   */
  record Scenario(String name, Config config, INDArray pred, INDArray[] targets, INDArray weight,
      boolean takesAvgFactor) {
    Loss build(Reduction r) {
      return Losses.build(config.with("reduction", r.key()));
    }

    Loss build(Reduction r, double lossWeight) {
      return Losses.build(config.with("reduction", r.key()).with("loss_weight", lossWeight));
    }

    LossArgs args() {
      return LossArgs.of(pred, targets);
    }

    @Override
    public String toString() {
      return name;
    }
  }

  /** Each of {@code types} built with {@code reduction} and the other options and parameters at their defaults. */
  public static List<Loss> withReduction(Reduction reduction, LossType<?, ?>... types) {
    List<Loss> out = new ArrayList<>();
    for (LossType<?, ?> type : types) {
      out.add(type.builder().options(o -> o.withReduction(reduction)).build());
    }
    return out;
  }

  public static INDArray f64(double[] data, long... shape) {
    return Tensors.create(data, DataType.DOUBLE, shape);
  }

  public static INDArray ints(long[] data, long... shape) {
    return Tensors.createLong(data, shape);
  }

  /** Draws of a fixed-seed generator; see the class comment. */
  public static double[] normal(Random r, int n, double scale) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.nextGaussian() * scale;
    }
    return out;
  }

  /** Draws of a fixed-seed generator; see the class comment. */
  public static double[] uniform(Random r, int n, double lo, double hi) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = lo + (hi - lo) * r.nextDouble();
    }
    return out;
  }

  /** {@code n} labels in {@code [lo, hiInclusive]}. */
  public static long[] labels(Random r, int n, int lo, int hiInclusive) {
    long[] out = new long[n];
    for (int i = 0; i < n; i++) {
      out[i] = lo + r.nextInt(hiInclusive - lo + 1);
    }
    return out;
  }

  /** {@link LossArgs} from {@code arrays} (pred, targets..., weight); the weight only when wanted. */
  public static LossArgs args(INDArray[] arrays, boolean withWeight) {
    INDArray[] targets = new INDArray[arrays.length - 2];
    System.arraycopy(arrays, 1, targets, 0, targets.length);
    LossArgs a = LossArgs.of(arrays[0], targets);
    return withWeight && arrays[arrays.length - 1] != null ? a.weight(arrays[arrays.length - 1]) : a;
  }

  public static INDArray f(double[] v, DataType t, long... shape) {
    return Tensors.create(v, t, shape);
  }

  /** {@code n} class ids in {@code [0, hiInclusive]} as an {@code [n]} integer array. */
  public static INDArray labelIds(Random r, int n, int hiInclusive) {
    return Tensors.createLong(labels(r, n, 0, hiInclusive), n);
  }

  /** {@code n} boxes of side 4..60 at {@code scale}-sized offsets (scale 1 means pixels up to 100). */
  public static double[] boxes(Random r, int n, double scale) {
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
  public static double[] jitter(Random r, double[] target) {
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

  public static List<Subject> subjects() {
    List<Subject> s = new ArrayList<>();
    int c = 4;
    s.add(new Subject("FocalLoss labels", Kind.LOGITS, Config.of("type", "FocalLoss", "gamma", 2.0, "alpha", 0.25),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), labelIds(r, n, c),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0}, true));
    s.add(new Subject("FocalLoss soft", Kind.LOGITS, Config.of("type", "FocalLoss", "gamma", 1.5, "alpha", 0.5),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), f(uniform(r, n * c, 0, 1), t, n, c),
            f(uniform(r, n * c, 0.2, 2), t, n, c)}, new int[] {0, 1}, true));
    s.add(new Subject("CrossEntropyLoss softmax", Kind.LOGITS, Config.of("type", "CrossEntropyLoss"),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * 5, k), t, n, 5), labelIds(r, n, 4),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0}, true));
    s.add(new Subject("CrossEntropyLoss sigmoid labels", Kind.LOGITS,
        Config.of("type", "CrossEntropyLoss", "use_sigmoid", true),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), labelIds(r, n, c),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0}, true));
    s.add(new Subject("CrossEntropyLoss sigmoid soft", Kind.LOGITS,
        Config.of("type", "CrossEntropyLoss", "use_sigmoid", true),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n, k), t, n), f(uniform(r, n, 0, 1), t, n),
            f(uniform(r, n, 0.2, 2), t, n)}, new int[] {0, 1}, true));
    s.add(new Subject("GHMC", Kind.LOGITS, Config.of("type", "GHMC", "bins", 10),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * 3, k), t, n, 3), labelIds(r, n, 3),
            f(uniform(r, n, 0.2, 1), t, n), null}, new int[] {0, 2}, false));
    s.add(new Subject("QualityFocalLoss", Kind.LOGITS, Config.of("type", "QualityFocalLoss", "beta", 2.0),
        (r, n, t, k) -> new INDArray[] {f(normal(r, n * c, k), t, n, c), labelIds(r, n, c),
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

  /** Every classification loss, in each of its forms. */
  static List<Scenario> classification() {
    Map<String, Subject> subjects = subjects().stream().collect(Collectors.toMap(Subject::name, x -> x));
    Random r = new Random(20240611L);
    List<Scenario> s = new ArrayList<>();
    int n = 6;
    int c = 4;
    s.add(subjects.get("FocalLoss labels").at(r, n));
    s.add(subjects.get("FocalLoss soft").at(r, n));
    s.add(new Scenario("FocalLoss gamma=0.5 flat weight", Config.of("type", "FocalLoss", "gamma", 0.5),
        f64(normal(r, n * c, 2.0), n, c), new INDArray[] {ints(labels(r, n, 0, c), n)},
        f64(uniform(r, n * c, 0.2, 2.0), n * c), true));
    s.add(new Scenario("FocalLoss activated", Config.of("type", "FocalLoss", "activated", true),
        f64(uniform(r, n * c, 0.05, 0.95), n, c), new INDArray[] {ints(labels(r, n, 0, c), n)},
        f64(uniform(r, n, 0.2, 2.0), n), true));
    long[] ceLabels = labels(r, n, 0, 4);
    ceLabels[2] = -1;
    s.add(new Scenario("CrossEntropyLoss softmax class_weight ignore_index",
        Config.of("type", "CrossEntropyLoss", "class_weight", List.of(1.0, 2.0, 0.5, 1.5, 0.7), "ignore_index", -1),
        f64(normal(r, n * 5, 2.0), n, 5), new INDArray[] {ints(ceLabels, n)}, f64(uniform(r, n, 0.2, 2.0), n), true));
    s.add(new Scenario("CrossEntropyLoss softmax avg_non_ignore",
        Config.of("type", "CrossEntropyLoss", "ignore_index", -1, "avg_non_ignore", true),
        f64(normal(r, n * 5, 2.0), n, 5), new INDArray[] {ints(ceLabels, n)}, f64(uniform(r, n, 0.2, 2.0), n), true));
    s.add(new Scenario("CrossEntropyLoss softmax spatial [N,C,d]", Config.of("type", "CrossEntropyLoss"),
        f64(normal(r, 3 * 4 * 2, 2.0), 3, 4, 2), new INDArray[] {ints(labels(r, 6, 0, 3), 3, 2)},
        f64(uniform(r, 6, 0.2, 2.0), 3, 2), true));
    long[] sigLabels = labels(r, n, 0, c);
    sigLabels[1] = -1;
    s.add(new Scenario("CrossEntropyLoss sigmoid class ids pos_weight avg_non_ignore",
        Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "class_weight", List.of(1.5, 0.5, 2.0, 1.0),
            "avg_non_ignore", true),
        f64(normal(r, n * c, 2.0), n, c), new INDArray[] {ints(sigLabels, n)}, f64(uniform(r, n, 0.2, 2.0), n), true));
    s.add(subjects.get("CrossEntropyLoss sigmoid soft").at(r, 7));
    double[] lw = uniform(r, 8, 0, 1);
    lw[3] = 0;
    lw[5] = 0;
    s.add(new Scenario("GHMC class ids", Config.of("type", "GHMC", "bins", 10),
        f64(normal(r, 8 * 3, 2.0), 8, 3), new INDArray[] {ints(labels(r, 8, 0, 3), 8), f64(lw, 8)}, null, false));
    double[] binary = new double[15];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = r.nextInt(2);
    }
    s.add(new Scenario("GHMC soft bins=5", Config.of("type", "GHMC", "bins", 5),
        f64(normal(r, 15, 2.0), 5, 3), new INDArray[] {f64(binary, 5, 3), f64(uniform(r, 15, -0.5, 1), 5, 3)}, null,
        false));
    s.add(subjects.get("QualityFocalLoss").at(r, n));
    s.add(new Scenario("QualityFocalLoss activated beta=1.5",
        Config.of("type", "QualityFocalLoss", "beta", 1.5, "activated", true), f64(uniform(r, n * c, 0.05, 0.95), n, c),
        new INDArray[] {ints(labels(r, n, 0, c), n), f64(uniform(r, n, 0, 1), n)}, f64(uniform(r, n, 0.2, 2.0), n),
        true));
    double[] dense = new double[n * c];
    for (int i = 0; i < n; i++) {
      dense[i * c + r.nextInt(c)] = r.nextDouble();
    }
    s.add(new Scenario("QualityFocalLoss dense target", Config.of("type", "QualityFocalLoss"),
        f64(normal(r, n * c, 2.0), n, c), new INDArray[] {f64(dense, n, c)}, f64(uniform(r, n, 0.2, 2.0), n), true));
    s.add(subjects.get("DistributionFocalLoss").at(r, 5));
    double[] vfTarget = uniform(r, n * c, -0.6, 1.0);
    for (int i = 0; i < vfTarget.length; i++) {
      vfTarget[i] = Math.max(vfTarget[i], 0);
    }
    s.add(subjects.get("VarifocalLoss").at(r, n));
    s.add(new Scenario("VarifocalLoss not iou_weighted gamma=1.5",
        Config.of("type", "VarifocalLoss", "iou_weighted", false, "gamma", 1.5, "alpha", 0.5),
        f64(normal(r, n * c, 2.0), n, c), new INDArray[] {f64(vfTarget, n, c)}, f64(uniform(r, n, 0.2, 2), n, 1),
        true));
    s.add(subjects.get("GaussianFocalLoss").at(r, n));
    return s;
  }
}
