package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** No boxes (an image without positives): reduced losses are 0, not MMDetection's NaN mean of nothing. */
class RegressionLossEmptyInputTest {
  static Stream<Arguments> losses() {
    List<Arguments> out = new ArrayList<>();
    for (Reduction r : Reduction.values()) {
      List<Loss> losses = LossScenarios.withReduction(r, SmoothL1Loss.TYPE, L1Loss.TYPE, BalancedL1Loss.TYPE,
          MSELoss.TYPE, IoULoss.TYPE, GIoULoss.TYPE, DIoULoss.TYPE, CIoULoss.TYPE, BoundedIoULoss.TYPE);
      if (r != Reduction.SUM) {
        losses.add(GHMR.TYPE.builder().options(o -> o.withReduction(r)).build());
      }
      for (Loss loss : losses) {
        out.add(Arguments.of(loss, r));
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("losses")
  void emptyInputGivesZeroOrAnEmptyLoss(Loss loss, Reduction r) {
    for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      INDArray empty = Nd4j.create(dt, 0, 4);
      LossResult res = loss instanceof GHMR ? loss.forward(empty, empty, empty) : loss.forward(empty, empty);
      assertThat(res.gradPred().shape()).containsExactly(0, 4);
      if (r == Reduction.NONE) {
        assertThat(res.value().length()).isZero();
      } else {
        assertThat(res.scalar()).isEqualTo(0.0);
      }
    }
  }
}
