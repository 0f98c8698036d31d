package io.detkit.losses;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The losses' test inputs, one set for the module: fixed-seed float64 scenarios of every
 * classification loss and its variants (the gradient, numerics and pipeline tests), and the random
 * draws the reliability tests' {@code LossSubjects} generate their inputs with.
 */
public final class ClsScenarios {
  private ClsScenarios() {}

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

  static INDArray f64(double[] data, long... shape) {
    return Tensors.create(data, DataType.DOUBLE, shape);
  }

  static INDArray ints(long[] data, long... shape) {
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

  /** Every classification loss, in each of its forms. */
  static List<Scenario> all() {
    Random r = new Random(20240611L);
    List<Scenario> s = new ArrayList<>();
    int n = 6;
    int c = 4;
    s.add(new Scenario("FocalLoss labels", Config.of("type", "FocalLoss", "gamma", 2.0, "alpha", 0.25),
        f64(normal(r, n * c, 2.0), n, c), new INDArray[] {ints(labels(r, n, 0, c), n)},
        f64(uniform(r, n, 0.2, 2.0), n), true));
    s.add(new Scenario("FocalLoss soft target gamma=1.5 alpha=0.5",
        Config.of("type", "FocalLoss", "gamma", 1.5, "alpha", 0.5), f64(normal(r, n * c, 2.0), n, c),
        new INDArray[] {f64(uniform(r, n * c, 0, 1), n, c)}, f64(uniform(r, n * c, 0.2, 2.0), n, c), true));
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
    s.add(new Scenario("CrossEntropyLoss sigmoid soft", Config.of("type", "CrossEntropyLoss", "use_sigmoid", true),
        f64(normal(r, 7, 2.0), 7), new INDArray[] {f64(uniform(r, 7, 0, 1), 7)}, f64(uniform(r, 7, 0.2, 2.0), 7),
        true));
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
    s.add(new Scenario("QualityFocalLoss (labels, scores)", Config.of("type", "QualityFocalLoss", "beta", 2.0),
        f64(normal(r, n * c, 2.0), n, c),
        new INDArray[] {ints(labels(r, n, 0, c), n), f64(uniform(r, n, 0, 1), n)}, f64(uniform(r, n, 0.2, 2.0), n),
        true));
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
    s.add(new Scenario("DistributionFocalLoss", Config.of("type", "DistributionFocalLoss"),
        f64(normal(r, 5 * 6, 2.0), 5, 6), new INDArray[] {f64(uniform(r, 5, 0, 4.99), 5)},
        f64(uniform(r, 5, 0.2, 2.0), 5), true));
    double[] vfTarget = uniform(r, n * c, -0.6, 1.0);
    for (int i = 0; i < vfTarget.length; i++) {
      vfTarget[i] = Math.max(vfTarget[i], 0);
    }
    s.add(new Scenario("VarifocalLoss iou_weighted", Config.of("type", "VarifocalLoss"),
        f64(normal(r, n * c, 2.0), n, c), new INDArray[] {f64(vfTarget, n, c)}, f64(uniform(r, n * c, 0.2, 2), n, c),
        true));
    s.add(new Scenario("VarifocalLoss not iou_weighted gamma=1.5",
        Config.of("type", "VarifocalLoss", "iou_weighted", false, "gamma", 1.5, "alpha", 0.5),
        f64(normal(r, n * c, 2.0), n, c), new INDArray[] {f64(vfTarget, n, c)}, f64(uniform(r, n, 0.2, 2), n, 1),
        true));
    double[] heat = uniform(r, 18, 0, 1);
    heat[4] = 1.0;
    heat[11] = 1.0;
    s.add(new Scenario("GaussianFocalLoss", Config.of("type", "GaussianFocalLoss"),
        f64(uniform(r, 18, 0.05, 0.95), 2, 3, 3), new INDArray[] {f64(heat, 2, 3, 3)},
        f64(uniform(r, 18, 0.2, 2), 2, 3, 3), true));
    return s;
  }
}
