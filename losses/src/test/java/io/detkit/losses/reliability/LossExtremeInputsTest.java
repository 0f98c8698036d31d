package io.detkit.losses.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.LossScenarios;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Losses;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Every loss at the edges of its domain: logits of ±1e4, coordinates of 1e6, zero-area and inverted
 * boxes, float64 inputs, a million rows. Each gives a finite value and gradient (checked with
 * {@code check_finite=True}, so a NaN would throw) and, where it is known in closed form, the right one.
 */
class LossExtremeInputsTest {
  static Stream<LossScenarios.Subject> subjects() {
    return LossScenarios.subjects().stream();
  }

  private static void assertFinite(LossResult r, String what) {
    for (double v : Tensors.toDoubles(r.value())) {
      assertThat(Double.isFinite(v)).as("%s value", what).isTrue();
    }
    for (double v : Tensors.toDoubles(r.gradPred())) {
      assertThat(Double.isFinite(v)).as("%s gradient", what).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void extremeMagnitudesGiveFiniteValuesAndGradientsInBothPrecisions(LossScenarios.Subject s) {
    // Logits of ±1e4, regression deltas of 1e4, boxes with 1e6-pixel coordinates; probabilities stay in [0, 1].
    double scale = switch (s.kind()) {
      case LOGITS, DELTAS -> 1e4;
      case BOXES -> 1e4;
      case PROBABILITIES -> 1;
    };
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      INDArray[] a = s.inputs().make(new Random(23), 16, t, scale);
      if (s.kind() == LossScenarios.Kind.LOGITS) {
        double[] p = Tensors.toDoubles(a[0]);
        for (int i = 0; i < p.length; i++) {
          p[i] = p[i] >= 0 ? 1e4 : -1e4;
        }
        a[0] = Tensors.create(p, t, a[0].shape());
      }
      if (s.kind() == LossScenarios.Kind.PROBABILITIES) {
        double[] p = Tensors.toDoubles(a[0]);
        for (int i = 0; i < p.length; i++) {
          p[i] = i % 2 == 0 ? 0 : 1;
        }
        a[0] = Tensors.create(p, t, a[0].shape());
      }
      for (String reduction : new String[] {"none", "mean"}) {
        LossResult r = s.build(reduction, true).forward(LossScenarios.args(a, s.takesWeight()));
        assertFinite(r, s + " " + t + " " + reduction);
        assertThat(r.value().dataType()).isEqualTo(t);
        assertThat(r.gradPred().dataType()).isEqualTo(t);
      }
    }
  }

  private static INDArray f64(double[] v, long... shape) {
    return Tensors.create(v, DataType.DOUBLE, shape);
  }

  private static INDArray f32(double[] v, long... shape) {
    return Tensors.create(v, DataType.FLOAT, shape);
  }

  @Test
  void saturatedLogitsGiveTheirClosedFormValues() {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      // Sigmoid CE of logit -1e4 against 1 is 1e4; of +1e4 against 1 is 0.
      Loss bce = Losses.build(Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "reduction", "none"));
      INDArray v = bce.forward(Tensors.create(new double[] {-1e4, 1e4, 1e4}, t, 3),
          Tensors.create(new double[] {1, 1, 0}, t, 3)).value();
      assertThat(Tensors.toDoubles(v)).containsExactly(new double[] {1e4, 0, 1e4}, within(1e-3));
      // Softmax CE: logits (1e4, -1e4, 0), label 1 -> 2e4.
      Loss ce = Losses.build(Config.of("type", "CrossEntropyLoss", "reduction", "none"));
      INDArray c = ce.forward(Tensors.create(new double[] {1e4, -1e4, 0}, t, 1, 3), Tensors.createLong(new long[] {1},
          1)).value();
      assertThat(c.getDouble(0)).isCloseTo(2e4, within(1e-2));
      // Focal, alpha 0.25, gamma 2: a positive at -1e4 costs 0.25 * 1 * 1e4; a negative at -1e4 nothing.
      Loss focal = Losses.build(Config.of("type", "FocalLoss", "reduction", "none"));
      INDArray fl = focal.forward(Tensors.create(new double[] {-1e4, -1e4}, t, 1, 2),
          Tensors.createLong(new long[] {0}, 1)).value();
      assertThat(Tensors.toDoubles(fl)).containsExactly(new double[] {2500, 0}, within(1e-3));
    }
  }

  @Test
  void degenerateBoxesGiveFiniteIouLosses() {
    // A point, a segment, an inverted box and a box identical to its target.
    double[] pred = {5, 5, 5, 5, 0, 3, 10, 3, 8, 0, 2, 10, 0, 0, 10, 10};
    double[] target = {0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10, 0, 0, 10, 10};
    for (String type : new String[] {"IoULoss", "GIoULoss", "DIoULoss", "CIoULoss", "BoundedIoULoss"}) {
      for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
        Loss loss = Losses.build(Config.of("type", type, "reduction", "none", "check_finite", true));
        LossResult r = loss.forward(Tensors.create(pred, t, 4, 4), Tensors.create(target, t, 4, 4));
        assertFinite(r, type + " " + t);
        double[] v = Tensors.toDoubles(r.value());
        int per = v.length / 4;
        double identical = 0;
        for (int k = 0; k < per; k++) {
          identical += v[3 * per + k];
        }
        assertThat(identical).as("%s of identical boxes", type).isCloseTo(0.0, within(1e-5));
      }
    }
  }

  @Test
  void zeroAreaTargetAndPredictionStayFiniteInIouFamily() {
    double[] zero = {3, 3, 3, 3};
    for (String type : new String[] {"IoULoss", "GIoULoss", "DIoULoss", "CIoULoss", "BoundedIoULoss"}) {
      Loss loss = Losses.build(Config.of("type", type, "reduction", "none", "check_finite", true));
      assertFinite(loss.forward(f64(zero, 1, 4), f64(zero, 1, 4)), type + " zero vs zero");
      assertFinite(loss.forward(f32(zero, 1, 4), f32(new double[] {0, 0, 1e6, 1e6}, 1, 4)), type + " zero vs 1e6");
    }
  }

  private static long allocatedBytes() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
        .getThreadAllocatedBytes(Thread.currentThread().getId());
  }

  @Test
  void aMillionPriorsUseMemoryLinearInTheElements() {
    int n = 1_000_000;
    Random rnd = new Random(1);
    double[] logits = LossScenarios.normal(rnd, n, 3);
    INDArray pred = f32(logits, n, 1);
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 50 == 0 ? 0 : 1;
    }
    INDArray lab = Tensors.createLong(labels, n);
    Loss focal = Losses.build(Config.of("type", "FocalLoss"));
    focal.forward(LossArgs.of(f32(new double[] {1, -1}, 2, 1), Tensors.createLong(new long[] {0, 1}, 2)));
    long before = allocatedBytes();
    LossResult r = focal.forward(LossArgs.of(pred, lab).avgFactor(n / 50.0));
    long focalBytes = allocatedBytes() - before;
    assertThat(Double.isFinite(r.scalar())).isTrue();

    double[] t = LossScenarios.boxes(rnd, n, 1);
    INDArray target = f32(t, n, 4);
    INDArray boxes = f32(LossScenarios.jitter(rnd, t), n, 4);
    Loss giou = Losses.build(Config.of("type", "GIoULoss"));
    // Warm up on a few rows so that class loading does not count.
    giou.forward(f32(Arrays.copyOf(t, 40), 10, 4), f32(Arrays.copyOf(t, 40), 10, 4));
    before = allocatedBytes();
    LossResult g = giou.forward(boxes, target);
    long giouBytes = allocatedBytes() - before;
    assertThat(Double.isFinite(g.scalar())).isTrue();
    // A handful of double copies per element (8 bytes each) is linear; anything per-pair is not.
    assertThat(focalBytes).as("FocalLoss heap bytes for 1e6 x 1").isLessThan(200L * n);
    assertThat(giouBytes).as("GIoULoss heap bytes for 1e6 x 4").isLessThan(800L * n);
  }
}
