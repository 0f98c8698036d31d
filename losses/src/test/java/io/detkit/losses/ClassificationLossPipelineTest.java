package io.detkit.losses;

import static io.detkit.losses.LossScenarios.f64;
import static io.detkit.losses.LossScenarios.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import com.google.common.primitives.ImmutableDoubleArray;
import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.tensor.Tensors;
import io.detkit.core.testing.BadCall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Steps 3 to 5 of the pipeline as every classification loss sees them. */
class ClassificationLossPipelineTest {

  private static void assertArraysClose(INDArray actual, INDArray expected, String what) {
    double[] a = Tensors.toDoubles(actual);
    double[] e = Tensors.toDoubles(expected);
    assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i]).as("%s[%d]", what, i).isCloseTo(e[i], offset(1e-12 + 1e-10 * Math.abs(e[i])));
    }
  }

  private static List<LossScenarios.Scenario> withWeight() {
    return LossScenarios.classification().stream().filter(s -> s.weight() != null).toList();
  }

  @TestFactory
  Stream<DynamicTest> sumWithAvgFactorThrows() {
    return withWeight().stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
      assertThatThrownBy(() -> s.build(Reduction.SUM).forward(s.args().avgFactor(4.0)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("avg_factor")
          .hasMessageContaining("sum");
      assertThatThrownBy(() -> s.build(Reduction.MEAN).forward(s.args().avgFactor(4.0)
          .reductionOverride(Reduction.SUM))).isInstanceOf(IllegalArgumentException.class);
    }));
  }

  @Test
  void ghmcRejectsSumWeightAndAvgFactor() {
    LossScenarios.Scenario ghmc = LossScenarios.classification().stream().filter(s -> s.name().startsWith("GHMC")).findFirst()
        .orElseThrow();
    assertThatThrownBy(() -> ghmc.build(Reduction.SUM).forward(ghmc.args()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("GHMC").hasMessageContaining("sum");
    assertThatThrownBy(() -> ghmc.build(Reduction.MEAN).forward(ghmc.args().avgFactor(2.0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("avg_factor=2.0");
    assertThatThrownBy(() -> ghmc.build(Reduction.MEAN).forward(ghmc.args().weight(ghmc.pred())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("label_weight");
  }

  @TestFactory
  Stream<DynamicTest> reductionOverrideWins() {
    return LossScenarios.classification().stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
      for (Reduction configured : Reduction.values()) {
        for (Reduction override : Reduction.values()) {
          if (s.weight() == null && (configured == Reduction.SUM || override == Reduction.SUM)) {
            continue;
          }
          LossResult overridden = s.build(configured).forward(s.args().reductionOverride(override));
          LossResult direct = s.build(override).forward(s.args());
          assertThat(overridden.reduction()).isEqualTo(override);
          assertArraysClose(overridden.value(), direct.value(), configured + "->" + override + " value");
          assertArraysClose(overridden.gradPred(), direct.gradPred(), configured + "->" + override + " grad");
        }
      }
      LossResult none = s.build(Reduction.MEAN).forward(s.args().reductionOverride(Reduction.NONE));
      assertThat(none.value().rank()).isGreaterThan(0);
    }));
  }

  @TestFactory
  Stream<DynamicTest> lossWeightScalesValueAndGradientLinearly() {
    return LossScenarios.classification().stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
      for (Reduction r : Reduction.values()) {
        if (s.weight() == null && r == Reduction.SUM) {
          continue;
        }
        LossArgs args = s.weight() == null ? s.args() : s.args().weight(s.weight());
        LossResult one = s.build(r, 1.0).forward(args);
        LossResult scaled = s.build(r, 2.5).forward(args);
        LossResult negative = s.build(r, -0.5).forward(args);
        assertArraysClose(scaled.value(), one.value().mul(2.5), r + " value x2.5");
        assertArraysClose(scaled.gradPred(), one.gradPred().mul(2.5), r + " grad x2.5");
        assertArraysClose(negative.value(), one.value().mul(-0.5), r + " value x-0.5");
        assertArraysClose(negative.gradPred(), one.gradPred().mul(-0.5), r + " grad x-0.5");
        assertThat(Arrays.stream(Tensors.toDoubles(one.value())).map(Math::abs).sum()).as("non-trivial loss")
            .isPositive();
      }
    }));
  }

  @TestFactory
  Stream<DynamicTest> zeroWeightGivesZeroValueAndGradient() {
    return withWeight().stream().map(s -> DynamicTest.dynamicTest(s.name(), () -> {
      INDArray zero = s.weight().mul(0.0);
      for (Reduction r : Reduction.values()) {
        LossResult res = s.build(r).forward(s.args().weight(zero));
        assertThat(Arrays.stream(Tensors.toDoubles(res.value())).allMatch(v -> v == 0)).as(r + " value").isTrue();
        assertThat(Arrays.stream(Tensors.toDoubles(res.gradPred())).allMatch(v -> v == 0)).as(r + " grad").isTrue();
      }
      LossResult avg = s.build(Reduction.MEAN).forward(s.args().weight(zero).avgFactor(0.0));
      assertThat(avg.scalar()).as("mean over avg_factor 0 of zero weights").isZero();
    }));
  }

  @Test
  void checkFiniteThrowsNamingTheLoss() {
    INDArray pred = f64(new double[] {Double.NaN, 0.5, 1.0, -1.0}, 2, 2);
    INDArray target = ints(new long[] {0, 1}, 2);
    Config cfg = Config.of("type", "FocalLoss", "check_finite", true);
    assertThatThrownBy(() -> Losses.build(cfg).forward(pred, target)).isInstanceOf(NonFiniteLossException.class)
        .hasMessageContaining("FocalLoss").hasMessageContaining("pred").hasMessageContaining("NaN");
    // Off by default, as in MMDetection: the NaN comes back.
    assertThat(Losses.build(Config.of("type", "FocalLoss")).forward(pred, target).scalar()).isNaN();

    // alpha < 1 has a genuinely infinite derivative of (1 - p)^alpha at p = 1 on a peak.
    Loss gfl = GaussianFocalLoss.TYPE.builder().params(p -> p.withAlpha(0.5))
        .options(o -> o.withCheckFinite(true).withReduction(Reduction.SUM)).build();
    assertThatThrownBy(() -> gfl.forward(f64(new double[] {1.0, 0.3}, 2), f64(new double[] {1.0, 0.2}, 2)))
        .isInstanceOf(NonFiniteLossException.class).hasMessageContaining("GaussianFocalLoss")
        .hasMessageContaining("gradient");
  }

  static Stream<BadCall> badInputs() {
    INDArray pred = f64(new double[24], 6, 4);
    Loss focal = FocalLoss.TYPE.fromConfig(Config.of());
    Loss ce = CrossEntropyLoss.TYPE.fromConfig(Config.of());
    Loss ceSig = CrossEntropyLoss.TYPE.builder().params(p -> p.withUseSigmoid(true)).build();
    Loss ceTwoWeights = CrossEntropyLoss.TYPE.builder()
        .params(p -> p.withClassWeight(ImmutableDoubleArray.of(1.0, 2.0))).build();
    return Stream.of(
        BadCall.of("focal target [6,3]", () -> focal.forward(pred, f64(new double[18], 6, 3)),
            "target", "[6,4]", "[6,3]"),
        BadCall.of("focal label 5 of 4 classes", () -> focal.forward(pred, ints(new long[] {0, 1, 2, 3, 5, 4}, 6)),
            "target[4] = 5", "[0, 4]"),
        BadCall.of("focal 3 labels for 6 rows", () -> focal.forward(pred, ints(new long[] {0, 1, 2}, 3)),
            "[3]", "[6,4]"),
        BadCall.of("focal weight [5]",
            () -> focal.forward(LossArgs.of(pred, ints(new long[6], 6)).weight(f64(new double[5], 5))),
            "weight", "[5]", "[6,4]"),
        BadCall.of("avg_factor -1", () -> LossArgs.of(pred, ints(new long[6], 6)).avgFactor(-1.0),
            "avg_factor", "-1.0"),
        BadCall.of("reduction 'avg'", () -> Losses.build(Config.of("type", "FocalLoss", "reduction", "avg")),
            "reduction", "'avg'"),
        BadCall.of("reduction 'batchmean'", () -> Reduction.parse("batchmean"), "'none', 'mean', 'sum'"),
        BadCall.of("softmax CE label 3 of 3 classes",
            () -> ce.forward(f64(new double[12], 4, 3), ints(new long[] {0, 1, 3, -100}, 4)),
            "label[2] = 3", "[0, 2]"),
        BadCall.of("softmax CE weight [4,1]", () -> ce.forward(LossArgs.of(f64(new double[12], 4, 3),
            ints(new long[4], 4)).weight(f64(new double[4], 4, 1))), "weight", "[4,1]", "[4]"),
        BadCall.of("sigmoid CE label 4 of 3 classes",
            () -> ceSig.forward(f64(new double[12], 4, 3), ints(new long[] {0, 4, 1, 2}, 4)), "label[1] = 4"),
        BadCall.of("CE use_mask", () -> CrossEntropyLoss.TYPE.fromConfig(Config.of("use_mask", true)),
            "use_mask=True", "not supported"),
        BadCall.of("CE 2 class weights for 3 classes",
            () -> ceTwoWeights.forward(f64(new double[12], 4, 3), ints(new long[4], 4)),
            "class_weight", "C=3", "got 2"),
        BadCall.of("DFL label 4 of 5 bins", () -> DistributionFocalLoss.TYPE.builder().build()
            .forward(f64(new double[10], 2, 5), f64(new double[] {1.5, 4.0}, 2)), "label[1] = 4.0", "[0, 4)"),
        BadCall.of("QFL scores [4]", () -> QualityFocalLoss.TYPE.fromConfig(Config.of())
            .forward(LossArgs.of(pred, ints(new long[6], 6), f64(new double[4], 4))), "scores", "[4]", "[6,4]"),
        BadCall.of("VFL target [4,6]",
            () -> VarifocalLoss.TYPE.fromConfig(Config.of())
                .forward(pred, f64(new double[24], 4, 6)), "[6,4]", "[4,6]"),
        BadCall.of("GaussianFocal pred 1.5", () -> GaussianFocalLoss.TYPE.fromConfig(Config.of())
            .forward(f64(new double[] {0.5, 1.5}, 2), f64(new double[] {1, 0}, 2)), "pred", "1.5"),
        BadCall.of("GHMC label_weight [4]", () -> GHMC.TYPE.fromConfig(Config.of())
            .forward(LossArgs.of(pred, ints(new long[6], 6), f64(new double[4], 4))), "label_weight", "[4]", "[6,4]"),
        BadCall.of("FocalLoss use_sigmoid=False",
            () -> Losses.build(Config.of("type", "FocalLoss", "use_sigmoid", false)), "use_sigmoid must be True"),
        new BadCall("misspelt key 'gama'", () -> Losses.build(Config.of("type", "FocalLoss", "gama", 1.5)),
            ConfigException.class, "gama", "gamma"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badInputs")
  void badInputMessagesNameTheArgumentAndBothShapesOrValues(BadCall c) {
    c.assertRejected();
  }

  @Test
  void configAndBuilderProduceTheSameLoss() {
    List<Loss[]> pairs = new ArrayList<>();
    pairs.add(new Loss[] {Losses.build(Config.of("type", "FocalLoss", "gamma", 1.5, "alpha", 0.5, "reduction", "sum",
        "loss_weight", 0.5)),
        FocalLoss.TYPE.builder().params(p -> p.withGamma(1.5).withAlpha(0.5))
            .options(o -> o.withReduction(Reduction.SUM).withLossWeight(0.5)).build()});
    pairs.add(new Loss[] {Losses.build(Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "class_weight",
        List.of(1.0, 2.0), "ignore_index", 255, "avg_non_ignore", true)),
        CrossEntropyLoss.TYPE.builder()
            .params(p -> p.withUseSigmoid(true).withClassWeight(ImmutableDoubleArray.of(1.0, 2.0))
            .withIgnoreIndex(255).withAvgNonIgnore(true)).build()});
    pairs.add(new Loss[] {Losses.build(Config.of("type", "GHMC", "bins", 30, "momentum", 0.75)),
        GHMC.TYPE.builder().params(p -> p.withBins(30).withMomentum(0.75)).build()});
    pairs.add(new Loss[] {Losses.build(Config.of("type", "QualityFocalLoss", "beta", 1.0, "activated", true)),
        QualityFocalLoss.TYPE.builder().params(p -> p.withBeta(1.0).withActivated(true)).build()});
    pairs.add(new Loss[] {Losses.build(Config.of("type", "DistributionFocalLoss", "loss_weight", 0.25)),
        new DistributionFocalLoss(new LossOptions(Reduction.MEAN, 0.25, false))});
    pairs.add(new Loss[] {Losses.build(Config.of("type", "VarifocalLoss", "alpha", 0.5, "iou_weighted", false)),
        VarifocalLoss.TYPE.builder().params(p -> p.withAlpha(0.5).withIouWeighted(false)).build()});
    pairs.add(new Loss[] {Losses.build(Config.of("type", "GaussianFocalLoss", "alpha", 3.0, "gamma", 2.0)),
        GaussianFocalLoss.TYPE.builder().params(p -> p.withAlpha(3.0).withGamma(2.0)).build()});
    for (Loss[] p : pairs) {
      assertThat(p[1].toString()).isEqualTo(p[0].toString());
      assertThat(p[1].getClass()).isEqualTo(p[0].getClass());
    }
  }

  @Test
  void ghmcMomentumKeepsRunningCountsPerInstanceAndUpdatesThemAtomically() throws Exception {
    // Four elements, all valid: g = |sigmoid(x) - t| = 0.5, 0.5, ~0.119, ~0.881 -> bins 5, 5, 1, 8 of 10.
    INDArray pred = f64(new double[] {0.0, 0.0, 2.0, -2.0}, 2, 2);
    INDArray target = f64(new double[] {1, 0, 1, 1}, 2, 2);
    INDArray lw = f64(new double[] {1, 1, 1, 1}, 2, 2);
    LossArgs args = LossArgs.of(pred, target, lw).reductionOverride(Reduction.NONE);
    GHMC ghmc = GHMC.TYPE.builder().params(p -> p.withMomentum(0.75)).build();
    double[] bce = new double[4];
    double[] x = {0.0, 0.0, 2.0, -2.0};
    double[] t = {1, 0, 1, 1};
    for (int i = 0; i < 4; i++) {
      double p = 1 / (1 + Math.exp(-x[i]));
      bce[i] = -(t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p));
    }
    double[] first = Tensors.toDoubles(ghmc.forward(args).value());
    // acc = 0.25 * count: bin 5 -> 0.5, bins 1 and 8 -> 0.25; weight tot / acc / 3 non-empty bins.
    double[] w1 = {4 / 0.5 / 3, 4 / 0.5 / 3, 4 / 0.25 / 3, 4 / 0.25 / 3};
    for (int i = 0; i < 4; i++) {
      assertThat(first[i]).isCloseTo(bce[i] * w1[i], offset(1e-6));
    }
    double[] second = Tensors.toDoubles(ghmc.forward(args).value());
    // acc = 0.75 * acc + 0.25 * count: bin 5 -> 0.875, bins 1 and 8 -> 0.4375.
    double[] w2 = {4 / 0.875 / 3, 4 / 0.875 / 3, 4 / 0.4375 / 3, 4 / 0.4375 / 3};
    for (int i = 0; i < 4; i++) {
      assertThat(second[i]).isCloseTo(bce[i] * w2[i], offset(1e-6));
    }
    // A fresh instance starts from zero again.
    assertThat(Tensors.toDoubles(GHMC.TYPE.builder().params(p -> p.withMomentum(0.75)).build().forward(args).value()))
        .containsExactly(first, offset(1e-12));

    // Identical calls commute, so concurrent calls must reach the sequential statistics exactly.
    int calls = 64;
    GHMC shared = GHMC.TYPE.builder().params(p -> p.withMomentum(0.75)).build();
    GHMC sequential = GHMC.TYPE.builder().params(p -> p.withMomentum(0.75)).build();
    for (int i = 0; i < calls; i++) {
      sequential.forward(args);
    }
    List<Thread> threads = new ArrayList<>();
    for (int k = 0; k < 4; k++) {
      Thread th = new Thread(() -> {
        for (int i = 0; i < calls / 4; i++) {
          shared.forward(args);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    assertThat(shared.runningCounts()).containsExactly(sequential.runningCounts());
  }

  /** A user's own loss: only the kernel, squared hinge {@code max(0, margin - y x)^2}, y in {-1, 1}. */
  static final class SquaredHingeLoss extends Loss {
    private final double margin;

    SquaredHingeLoss(Config c) {
      super(LossOptions.fromConfig(c));
      this.margin = c.getDouble("margin", 1.0);
    }

    @Override
    protected Elementwise kernel(LossArgs args) {
      double[] x = Tensors.toDoubles(args.pred());
      double[] y = Tensors.toDoubles(args.target());
      double[] v = new double[x.length];
      double[] d = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        double m = Math.max(0, margin - y[i] * x[i]);
        v[i] = m * m;
        d[i] = -2 * m * y[i];
      }
      return new Elementwise(args.pred().shape(), v, up -> {
        double[] g = new double[up.length];
        for (int i = 0; i < g.length; i++) {
          g[i] = up[i] * d[i];
        }
        return g;
      });
    }
  }

  @Test
  void userDefinedLossRegisteredByTypeNameRunsOnThePipeline() {
    synchronized (Losses.REGISTRY) {
      if (!Losses.REGISTRY.contains("SquaredHingeLoss")) {
        Losses.REGISTRY.register("SquaredHingeLoss", SquaredHingeLoss::new);
      }
    }
    Loss loss = Losses.build(Config.of("type", "SquaredHingeLoss", "margin", 2.0, "reduction", "mean",
        "loss_weight", 3.0));
    INDArray pred = f64(new double[] {0.5, -1.0, 3.0, 1.0}, 4);
    INDArray y = f64(new double[] {1, 1, 1, -1}, 4);
    LossResult r = loss.forward(LossArgs.of(pred, y).weight(f64(new double[] {1, 2, 1, 0.5}, 4)).avgFactor(2.0));
    // margins 1.5, 3, 0, 3 -> squares 2.25, 9, 0, 9, weighted 2.25 + 18 + 0 + 4.5 = 24.75.
    double denom = 2.0 + WeightReduce.AVG_FACTOR_EPS;
    assertThat(r.scalar()).isCloseTo(3.0 * 24.75 / denom, offset(1e-12));
    double[] g = Tensors.toDoubles(r.gradPred());
    double[] expected = {-2 * 1.5 * 1, -2 * 3 * 2, 0, 2 * 3 * 0.5};
    for (int i = 0; i < 4; i++) {
      assertThat(g[i]).isCloseTo(3.0 * expected[i] / denom, offset(1e-12));
    }
    assertThatThrownBy(() -> Losses.build(Config.of("type", "SquaredHingeLoss", "margn", 2.0)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("margn").hasMessageContaining("margin");
    assertThat(Losses.REGISTRY.types()).contains("SquaredHingeLoss", "FocalLoss", "GHMC");
  }

  /** The seed tutorial's three FocalLoss snippets, against a direct loop over the paper's formula. */
  @Test
  void seedTutorialFocalLossSnippets() {
    double[] x = {1.2, -0.7, 0.3, -2.1, 0.0, 2.4, -0.2, 0.9, -1.3, 0.6, 1.7, -0.4};
    long[] labels = {0, 2, 3, 1};
    INDArray pred = f64(x, 4, 3);
    INDArray target = ints(labels, 4);
    double fl15 = directFocalSum(x, labels, 3, 1.5, 0.5);
    double fl2 = directFocalSum(x, labels, 3, 2.0, 0.25);

    Loss tuned = Losses.build(Config.of("type", "FocalLoss", "use_sigmoid", true, "gamma", 1.5, "alpha", 0.5,
        "loss_weight", 1.0));
    assertThat(tuned.forward(pred, target).scalar()).isCloseTo(fl15 / 12, offset(1e-12));

    Loss summed = Losses.build(Config.of("type", "FocalLoss", "use_sigmoid", true, "gamma", 2.0, "alpha", 0.25,
        "loss_weight", 1.0, "reduction", "sum"));
    assertThat(summed.forward(pred, target).scalar()).isCloseTo(fl2, offset(1e-12));

    Loss halved = Losses.build(Config.of("type", "FocalLoss", "use_sigmoid", true, "gamma", 2.0, "alpha", 0.25,
        "loss_weight", 0.5));
    assertThat(halved.forward(pred, target).scalar()).isCloseTo(0.5 * fl2 / 12, offset(1e-12));
    assertThat(fl15).isNotCloseTo(fl2, offset(1e-3));
  }

  private static double directFocalSum(double[] x, long[] labels, int c, double gamma, double alpha) {
    double sum = 0;
    for (int i = 0; i < labels.length; i++) {
      for (int j = 0; j < c; j++) {
        double p = 1 / (1 + Math.exp(-x[i * c + j]));
        boolean positive = labels[i] == j;
        double ce = positive ? -Math.log(p) : -Math.log(1 - p);
        double pt = positive ? p : 1 - p;
        double at = positive ? alpha : 1 - alpha;
        sum += at * Math.pow(1 - pt, gamma) * ce;
      }
    }
    return sum;
  }

  @Test
  void float32InputsGiveFloat32Results() {
    INDArray pred = Tensors.create(new double[] {0.3, -1.2, 2.0, 0.1}, DataType.FLOAT, 2, 2);
    LossResult r = FocalLoss.TYPE.fromConfig(Config.of()).forward(pred, ints(new long[] {1, 2}, 2));
    assertThat(r.value().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(r.gradPred().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(r.gradPred().shape()).isEqualTo(new long[] {2, 2});
  }

  @Test
  void emptyInputsGiveZeroLossAndEmptyGradients() {
    INDArray pred = f64(new double[0], 0, 4);
    LossResult focal = FocalLoss.TYPE.fromConfig(Config.of()).forward(pred, ints(new long[0], 0));
    assertThat(focal.scalar()).isZero();
    assertThat(focal.gradPred().shape()).isEqualTo(new long[] {0, 4});
    LossResult ce = CrossEntropyLoss.TYPE.builder().build().forward(pred, ints(new long[0], 0));
    assertThat(ce.scalar()).isZero();
    LossResult qfl = QualityFocalLoss.TYPE.fromConfig(Config.of()).forward(LossArgs.of(pred, ints(new long[0], 0),
        f64(new double[0], 0)).avgFactor(1.0));
    assertThat(qfl.scalar()).isZero();
  }
}
