package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.f32;
import static io.detkit.losses.RegressionTestSupport.f64;
import static io.detkit.losses.RegressionTestSupport.predBoxes;
import static io.detkit.losses.RegressionTestSupport.targetBoxes;
import static io.detkit.losses.RegressionTestSupport.uniform;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Zero weights give zero loss and gradient; loss_weight scales value and gradient linearly. */
class RegressionLossWeightingTest {
  /** A loss type, and whether it is GHMR (label_weight as a target). */
  record Subject(LossType<?, ?> type, boolean ghm) {
    /** The loss with {@code reduction} and {@code lossWeight}. */
    Loss make(Reduction reduction, double lossWeight) {
      return type.builder().options(o -> o.withReduction(reduction).withLossWeight(lossWeight)).build();
    }

    @Override
    public String toString() {
      return type.name();
    }
  }

  static List<Subject> subjects() {
    return List.of(new Subject(SmoothL1Loss.TYPE, false), new Subject(L1Loss.TYPE, false),
        new Subject(BalancedL1Loss.TYPE, false), new Subject(MSELoss.TYPE, false), new Subject(GHMR.TYPE, true),
        new Subject(IoULoss.TYPE, false), new Subject(GIoULoss.TYPE, false), new Subject(DIoULoss.TYPE, false),
        new Subject(CIoULoss.TYPE, false), new Subject(BoundedIoULoss.TYPE, false));
  }

  static Stream<Arguments> subjectsAndReductions() {
    List<Arguments> out = new ArrayList<>();
    for (Subject s : subjects()) {
      for (Reduction r : Reduction.values()) {
        if (!(s.ghm() && r == Reduction.SUM)) {
          out.add(Arguments.of(s, r));
        }
      }
    }
    return out.stream();
  }

  private static final Random RND = new Random(7);
  private static final double[] TARGET = targetBoxes(RND, 5);
  private static final double[] PRED = predBoxes(RND, TARGET, 6);

  private static LossArgs call(Subject s, DataType dt, INDArray weight) {
    INDArray p = Tensors.create(PRED, dt, 5, 4);
    INDArray t = Tensors.create(TARGET, dt, 5, 4);
    return s.ghm() ? LossArgs.of(p, t, weight) : LossArgs.of(p, t).weight(weight);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("subjectsAndReductions")
  void zeroWeightGivesZeroValueAndGradient(Subject s, Reduction r) {
    for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      LossResult res = s.make(r, 2.0).forward(call(s, dt, Tensors.create(new double[20], dt, 5, 4)));
      for (double v : Tensors.toDoubles(res.value())) {
        assertThat(Math.abs(v)).isEqualTo(0.0);
      }
      for (double g : Tensors.toDoubles(res.gradPred())) {
        assertThat(Math.abs(g)).isEqualTo(0.0);
      }
      assertThat(res.gradPred().dataType()).isEqualTo(dt);
      assertThat(res.value().dataType()).isEqualTo(dt);
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("subjectsAndReductions")
  void lossWeightScalesValueAndGradientLinearly(Subject s, Reduction r) {
    INDArray w = f64(uniform(new Random(3), 20, 0.1, 2), 5, 4);
    LossResult one = s.make(r, 1.0).forward(call(s, DataType.DOUBLE, w));
    LossResult scaled = s.make(r, -2.5).forward(call(s, DataType.DOUBLE, w));
    assertScaled(Tensors.toDoubles(one.value()), Tensors.toDoubles(scaled.value()), -2.5);
    assertScaled(Tensors.toDoubles(one.gradPred()), Tensors.toDoubles(scaled.gradPred()), -2.5);
    assertThat(Tensors.toDoubles(one.gradPred())).isNotEqualTo(new double[20]);
  }

  private static void assertScaled(double[] base, double[] scaled, double k) {
    assertThat(scaled).hasSameSizeAs(base);
    for (int i = 0; i < base.length; i++) {
      assertThat(scaled[i]).isCloseTo(k * base[i], within(1e-12 + 1e-12 * Math.abs(base[i])));
    }
  }

  @Test
  void iouFamilyReturnsPredTimesWeightSumWhenNoWeightIsPositiveAndIgnoresLossWeight() {
    // MMDetection returns (pred * weight).sum() early: with negative weights it is not zero,
    // loss_weight is not applied and the result is a scalar even under reduction='none'.
    double[] w = {-1, 0, -0.5, 0, -2};
    double expected = 0;
    for (int i = 0; i < 5; i++) {
      for (int k = 0; k < 4; k++) {
        expected += PRED[4 * i + k] * w[i];
      }
    }
    List<Function<Reduction, Loss>> losses = List.of(
        r -> GIoULoss.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(3)).build(),
        r -> DIoULoss.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(3)).build(),
        r -> CIoULoss.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(3)).build(),
        r -> BoundedIoULoss.TYPE.builder().options(o -> o.withReduction(r).withLossWeight(3)).build());
    for (Function<Reduction, Loss> make : losses) {
      for (Reduction r : Reduction.values()) {
        LossResult res = make.apply(r).forward(LossArgs.of(f64(PRED, 5, 4), f64(TARGET, 5, 4)).weight(f64(w, 5))
            .upstream(f64(new double[] {0.5})));
        assertThat(res.value().rank()).isZero();
        assertThat(res.scalar()).isCloseTo(expected, within(1e-9));
        double[] g = Tensors.toDoubles(res.gradPred());
        for (int i = 0; i < 20; i++) {
          assertThat(g[i]).isEqualTo(0.5 * w[i / 4]);
        }
      }
    }
  }

  @Test
  void iouLossTakesTheEarlyReturnOnlyWhenTheReductionIsNotNone() {
    INDArray w = f64(new double[5], 5);
    Loss loss = IoULoss.TYPE.builder().options(o -> o.withLossWeight(4)).build();
    LossResult mean = loss.forward(LossArgs.of(f64(PRED, 5, 4), f64(TARGET, 5, 4)).weight(w));
    assertThat(mean.value().rank()).isZero();
    LossResult none = loss.forward(LossArgs.of(f64(PRED, 5, 4), f64(TARGET, 5, 4)).weight(w)
        .reductionOverride(Reduction.NONE));
    assertThat(none.value().shape()).containsExactly(5);
    for (double v : Tensors.toDoubles(none.value())) {
      assertThat(Math.abs(v)).isEqualTo(0.0);
    }
  }

  @Test
  void perBoxLossesAverageAnNx4WeightOverItsLastDimension() {
    double[] w4 = uniform(new Random(11), 20, 0, 2);
    double[] w1 = new double[5];
    for (int i = 0; i < 5; i++) {
      w1[i] = (w4[4 * i] + w4[4 * i + 1] + w4[4 * i + 2] + w4[4 * i + 3]) / 4;
    }
    for (Loss loss : RegressionLossInputValidationTest.perBoxLosses()) {
      LossResult a = loss.forward(LossArgs.of(f64(PRED, 5, 4), f64(TARGET, 5, 4)).weight(f64(w4, 5, 4)));
      LossResult b = loss.forward(LossArgs.of(f64(PRED, 5, 4), f64(TARGET, 5, 4)).weight(f64(w1, 5)));
      assertThat(a.scalar()).isCloseTo(b.scalar(), within(1e-12));
      assertThat(Tensors.toDoubles(a.gradPred())).containsExactly(Tensors.toDoubles(b.gradPred()), within(1e-12));
    }
  }

  @Test
  void float32InputsGiveFloat32Results() {
    Loss loss = SmoothL1Loss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build();
    LossResult r = loss.forward(f32(PRED, 5, 4), f32(TARGET, 5, 4));
    assertThat(r.value().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(r.gradPred().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(r.value().shape()).containsExactly(5, 4);
  }
}
