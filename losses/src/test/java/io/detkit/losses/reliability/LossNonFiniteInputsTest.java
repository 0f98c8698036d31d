package io.detkit.losses.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.tensor.Tensors;
import io.detkit.losses.LossResult;
import io.detkit.losses.LossScenarios;
import io.detkit.losses.NonFiniteLossException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A NaN or an infinity in any floating-point input of any loss (prediction, each target, weight)
 * never yields a silent finite-looking answer: with {@code check_finite=True} the call throws
 * ({@link IllegalArgumentException} naming the input, or {@link NonFiniteLossException} naming the
 * loss); with the MMDetection default it throws or the non-finite value shows in the result.
 */
class LossNonFiniteInputsTest {
  record Slot(LossScenarios.Subject subject, int slot, double bad, DataType dtype) {
    @Override
    public String toString() {
      return subject + " slot " + slot + " = " + bad + " " + dtype;
    }
  }

  static Stream<Slot> slots() {
    List<Slot> out = new ArrayList<>();
    for (LossScenarios.Subject s : LossScenarios.subjects()) {
      List<Integer> slots = new ArrayList<>();
      for (int i : s.floatSlots()) {
        slots.add(i);
      }
      if (s.takesWeight()) {
        slots.add(-1);
      }
      for (int slot : slots) {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
          out.add(new Slot(s, slot, bad, bad > 0 ? DataType.FLOAT : DataType.DOUBLE));
        }
      }
    }
    return out.stream();
  }

  /** The subject's inputs with element 5 of {@code slot} (-1: the weight) replaced by {@code bad}. */
  private static INDArray[] poisoned(Slot s) {
    return poisoned(s, s.bad());
  }

  private static INDArray[] poisoned(Slot s, double value) {
    INDArray[] a = s.subject().inputs().make(new Random(17), 6, s.dtype(), 1.0);
    int idx = s.slot() < 0 ? a.length - 1 : s.slot();
    double[] v = Tensors.toDoubles(a[idx]);
    v[5] = value;
    a[idx] = Tensors.create(v, a[idx].dataType(), a[idx].shape());
    return a;
  }

  private static String bits(LossResult r) {
    StringBuilder sb = new StringBuilder();
    for (double v : Tensors.toDoubles(r.value())) {
      sb.append(v).append(',');
    }
    for (double v : Tensors.toDoubles(r.gradPred())) {
      sb.append(v).append(',');
    }
    return sb.toString();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("slots")
  void checkFiniteTurnsEveryBadInputIntoANamedException(Slot s) {
    INDArray[] a = poisoned(s);
    for (String reduction : new String[] {"mean", "none"}) {
      assertThatThrownBy(() -> s.subject().build(reduction, true).forward(LossScenarios.args(a, s.subject()
          .takesWeight())))
          .as("%s reduction %s", s, reduction)
          .isInstanceOfAny(IllegalArgumentException.class, NonFiniteLossException.class)
          .satisfies(e -> {
            if (e instanceof NonFiniteLossException) {
              assertThat(e).hasMessageStartingWith(s.subject().config().type().orElseThrow() + ": ")
                  .hasMessageContaining("is not finite at element");
            } else {
              assertThat(e.getMessage()).containsAnyOf("finite", "NaN", "Infinity");
            }
          });
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("slots")
  void withoutCheckFiniteABadInputIsNeverHiddenInAFiniteResult(Slot s) {
    INDArray[] a = poisoned(s);
    LossResult r;
    try {
      r = s.subject().build("mean", false).forward(LossScenarios.args(a, s.subject().takesWeight()));
    } catch (IllegalArgumentException e) {
      return;
    }
    boolean visible = false;
    for (double v : Tensors.toDoubles(r.value())) {
      visible |= !Double.isFinite(v);
    }
    for (double v : Tensors.toDoubles(r.gradPred())) {
      visible |= !Double.isFinite(v);
    }
    if (visible) {
      return;
    }
    // A finite answer is right only for an infinity whose limit it is (a -inf logit of a class that
    // is not the target has probability 0): it must equal the answer for the largest finite value.
    assertThat(Double.isNaN(s.bad())).as("%s: a NaN input must show in the value or the gradient", s).isFalse();
    double huge = Math.copySign(s.dtype() == DataType.FLOAT ? Float.MAX_VALUE : Double.MAX_VALUE, s.bad());
    LossResult limit = s.subject().build("mean", false).forward(LossScenarios.args(poisoned(s, huge),
        s.subject().takesWeight()));
    assertThat(bits(r)).as("%s: a finite answer for an infinite input must be its limit", s).isEqualTo(bits(limit));
  }
}
