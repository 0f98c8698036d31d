package io.detkit.losses.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.LossScenarios;
import io.detkit.losses.Losses;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite inputs at the top of each dtype's range and extreme but finite parameters: every loss
 * returns a finite value and gradient or throws an {@link IllegalArgumentException} that says what
 * overflowed; never an infinity or a NaN (MMDetection returns those silently). Invalid targets
 * (quality scores above 1, IoU targets outside [0, 1]) and unbounded counts are named errors.
 */
class LossHostileInputsTest {
  static Stream<LossScenarios.Subject> subjects() {
    return LossScenarios.subjects().stream();
  }

  private static void assertFinite(LossResult r, String what) {
    for (double v : Tensors.toDoubles(r.value())) {
      assertThat(Double.isFinite(v)).as("%s value %s", what, v).isTrue();
    }
    for (double v : Tensors.toDoubles(r.gradPred())) {
      assertThat(Double.isFinite(v)).as("%s gradient %s", what, v).isTrue();
    }
  }

  private static boolean allFinite(INDArray[] arrays) {
    for (INDArray in : arrays) {
      if (in != null && in.dataType().isFPType()) {
        for (double v : Tensors.toDoubles(in)) {
          if (!Double.isFinite(v)) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /** The loss on {@code args}: a finite result, or a named IllegalArgumentException. */
  private static void finiteOrOverflowError(io.detkit.losses.Loss loss, LossArgs args, String what) {
    LossResult r;
    try {
      r = loss.forward(args);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).as(what).contains(loss.type());
      return;
    }
    assertFinite(r, what);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("subjects")
  void inputsNearTheDtypeMaximumGiveFiniteResultsOrANamedOverflow(LossScenarios.Subject s) {
    for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
      // The largest scale (from about the dtype's maximum down) whose generated inputs are all finite.
      double scale = t == DataType.FLOAT ? 1e38 : 1e308;
      INDArray[] a = s.inputs().make(new Random(29), 12, t, scale);
      while (!allFinite(a)) {
        scale /= 4;
        a = s.inputs().make(new Random(29), 12, t, scale);
      }
      assertThat(scale).as("scale").isGreaterThan(t == DataType.FLOAT ? 1e30 : 1e300);
      for (String reduction : new String[] {"sum", "mean", "none"}) {
        if (s.isGhm() && reduction.equals("sum")) {
          continue;
        }
        finiteOrOverflowError(s.build(reduction, false), LossScenarios.args(a, s.takesWeight()),
            s + " " + t + " " + reduction);
      }
    }
  }

  @Test
  void extremeFiniteParametersGiveFiniteResultsOrANamedOverflow() {
    INDArray logits = Tensors.create(new double[] {3e38, -3e38, 20, -20, 0.5, -0.5, 3, -3}, DataType.FLOAT, 2, 4);
    INDArray labels = Tensors.createLong(new long[] {1, 4}, 2);
    finiteOrOverflowError(Losses.build(Config.of("type", "FocalLoss", "gamma", 1e308, "reduction", "sum")),
        LossArgs.of(logits, labels), "FocalLoss gamma=1e308");
    finiteOrOverflowError(Losses.build(Config.of("type", "FocalLoss", "reduction", "sum")),
        LossArgs.of(logits, labels), "FocalLoss logits 3e38 sum");
    finiteOrOverflowError(Losses.build(Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "reduction", "sum")),
        LossArgs.of(logits, labels), "sigmoid CE logits 3e38 sum");
    finiteOrOverflowError(Losses.build(Config.of("type", "CrossEntropyLoss", "use_sigmoid", true,
        "class_weight", java.util.List.of(1e308, 1e308, 1e308, 1e308))), LossArgs.of(logits, labels),
        "sigmoid CE pos_weight=1e308");
    finiteOrOverflowError(Losses.build(Config.of("type", "FocalLoss", "loss_weight", 1e308)),
        LossArgs.of(logits, labels), "FocalLoss loss_weight=1e308");
    // The overflow is named, not returned: before, these gave Infinity.
    assertThatThrownBy(() -> Losses.build(Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "reduction",
        "sum")).forward(LossArgs.of(Tensors.create(new double[] {3e38, 3e38}, DataType.FLOAT, 1, 2),
        Tensors.createLong(new long[] {2}, 1)))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("CrossEntropyLoss", "value", "not finite in FLOAT", "every input is finite");
  }

  @Test
  void qualityScoresAboveOneAndIouTargetsOutsideTheUnitIntervalAreRefused() {
    INDArray pred = Tensors.create(new double[] {0.1, -0.2, 0.3, 0.4}, DataType.FLOAT, 2, 2);
    assertThatThrownBy(() -> Losses.build(Config.of("type", "QualityFocalLoss")).forward(LossArgs.of(pred,
        Tensors.createLong(new long[] {0, 1}, 2), Tensors.create(new double[] {0.5, 1.5}, DataType.FLOAT, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("QualityFocalLoss: scores", "[0.0, 1.0]", "element 1 is 1.5");
    for (double bad : new double[] {3, -1}) {
      assertThatThrownBy(() -> Losses.build(Config.of("type", "VarifocalLoss")).forward(LossArgs.of(pred,
          Tensors.create(new double[] {0, bad, 0, 0.5}, DataType.FLOAT, 2, 2))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContainingAll("VarifocalLoss: target", "[0.0, 1.0]", "element 1 is " + bad);
    }
  }

  @Test
  void epsThatFloat32CannotHoldIsNamedWithItsValue() {
    for (double eps : new double[] {1e308, 1e-300}) {
      assertThatThrownBy(() -> Losses.build(Config.of("type", "GIoULoss", "eps", eps)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContainingAll("eps", Double.toString(eps), "float32")
          .hasMessageNotContaining("Infinity");
    }
  }

  @Test
  void histogramBinsAreBounded() {
    for (String type : new String[] {"GHMC", "GHMR"}) {
      for (int bins : new int[] {300_000_000, Integer.MAX_VALUE}) {
        assertThatThrownBy(() -> Losses.build(Config.of("type", type, "bins", bins)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContainingAll("bins must be in [1, 1024]", "Limits.MAX_BINS", Integer.toString(bins));
      }
    }
  }
}
