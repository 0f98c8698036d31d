package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.f32;
import static io.detkit.losses.RegressionTestSupport.f64;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Bad calls are rejected with messages that name the argument, the expectation and what came. */
class RegressionLossInputValidationTest {
  static List<Loss> elementwiseLosses() {
    return List.of(SmoothL1Loss.TYPE.builder().build(), L1Loss.TYPE.builder().build(),
        BalancedL1Loss.TYPE.builder().build(),
        MSELoss.TYPE.builder().build());
  }

  static List<Loss> boxLosses() {
    return List.of(IoULoss.TYPE.builder().build(), GIoULoss.TYPE.builder().build(), DIoULoss.TYPE.builder().build(),
        CIoULoss.TYPE.builder().build(), BoundedIoULoss.TYPE.builder().build());
  }

  static List<Loss> perBoxLosses() {
    return List.of(IoULoss.TYPE.builder().build(), GIoULoss.TYPE.builder().build(), DIoULoss.TYPE.builder().build(),
        CIoULoss.TYPE.builder().build());
  }

  static Stream<Loss> allLosses() {
    return Stream.concat(Stream.concat(elementwiseLosses().stream(), boxLosses().stream()),
        Stream.of(GHMR.TYPE.builder().build()));
  }

  private static INDArray boxes(int n) {
    double[] b = new double[4 * n];
    for (int i = 0; i < n; i++) {
      b[4 * i] = i;
      b[4 * i + 1] = i;
      b[4 * i + 2] = i + 10;
      b[4 * i + 3] = i + 12;
    }
    return f32(b, n, 4);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("elementwiseLosses")
  void elementwiseLossRejectsTargetOfAnotherShape(Loss loss) {
    assertThatThrownBy(() -> loss.forward(f32(new double[12], 3, 4), f32(new double[15], 3, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target must have pred's shape [3,4]; got [3,5]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("boxLosses")
  void boxLossRejectsTargetWithAnotherBoxCount(Loss loss) {
    assertThatThrownBy(() -> loss.forward(boxes(3), boxes(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target must have pred's shape [3,4]; got [2,4]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("boxLosses")
  void boxLossRejectsRowsThatAreNotBoxes(Loss loss) {
    assertThatThrownBy(() -> loss.forward(f32(new double[15], 3, 5), f32(new double[15], 3, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pred must be [N,4] (x1, y1, x2, y2); got [3,5]");
    assertThatThrownBy(() -> loss.forward(boxes(3), f32(new double[15], 3, 5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("target must be [N,4] (x1, y1, x2, y2); got [3,5]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("elementwiseLosses")
  void elementwiseLossRejectsWeightThatDoesNotBroadcast(Loss loss) {
    INDArray p = f32(new double[12], 3, 4);
    assertThatThrownBy(() -> loss.forward(LossArgs.of(p, p.dup()).weight(f32(ones(9), 3, 3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must broadcast to the element-wise loss shape [3,4]; got [3,3]");
  }

  private static double[] ones(int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("perBoxLosses")
  void perBoxLossRejectsWeightOfAnotherShape(Loss loss) {
    assertThatThrownBy(() -> loss.forward(LossArgs.of(boxes(3), boxes(3)).weight(f32(ones(9), 3, 3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be [N] or, to be averaged over the last dim, pred's shape [3,4]; got [3,3]");
    assertThatThrownBy(() -> loss.forward(LossArgs.of(boxes(3), boxes(3)).weight(f32(new double[] {1, 1}, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must broadcast to the element-wise loss shape [3]; got [2]");
  }

  @Test
  void boundedIoULossRejectsWeightThatDoesNotBroadcastToItsCoordinateLoss() {
    Loss loss = BoundedIoULoss.TYPE.builder().build();
    assertThatThrownBy(() -> loss.forward(LossArgs.of(boxes(3), boxes(3)).weight(f32(new double[] {1, 1, 1}, 3))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must broadcast to the element-wise loss shape [3,4]; got [3]");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("boxLosses")
  void earlyReturnRejectsAWeightThatDoesNotFitPred(Loss loss) {
    assertThatThrownBy(() -> loss.forward(LossArgs.of(boxes(3), boxes(3)).weight(f32(new double[6], 3, 2))
        .reductionOverride(Reduction.SUM)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight must be [N] or broadcast to pred's shape [3,4] for the early return (pred * weight).sum()"
            + " taken when no weight is > 0; got [3,2]");
  }

  @Test
  void negativeAvgFactorIsRejectedWithItsValue() {
    INDArray p = boxes(2);
    assertThatThrownBy(() -> LossArgs.of(p, p).avgFactor(-2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("avg_factor must be a finite number >= 0; got -2.0");
    assertThatThrownBy(() -> LossArgs.of(p, p).avgFactor(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("avg_factor must be a finite number >= 0");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allLosses")
  void sumWithAvgFactorIsRejected(Loss loss) {
    INDArray p = boxes(3);
    LossArgs args = LossArgs.of(p, p.add(0.5f), f32(new double[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 3, 4))
        .avgFactor(4).reductionOverride(Reduction.SUM);
    LossArgs call = loss instanceof GHMR ? args : LossArgs.of(p, p.add(0.5f)).avgFactor(4)
        .reductionOverride(Reduction.SUM);
    assertThatThrownBy(() -> loss.forward(call))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sum");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("allLosses")
  void aSecondTargetIsRejectedByLossesThatTakeOne(Loss loss) {
    INDArray p = boxes(2);
    LossArgs args = loss instanceof GHMR ? LossArgs.of(p, p, p, p) : LossArgs.of(p, p, p);
    assertThatThrownBy(() -> loss.forward(args)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("target");
  }

  @Test
  void ghmrWithoutLabelWeightSaysHowToPassIt() {
    INDArray p = f64(new double[8], 2, 4);
    assertThatThrownBy(() -> GHMR.TYPE.builder().build().forward(p, p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("GHMR needs label_weight: pass LossArgs.of(pred, target, labelWeight) or .weight(labelWeight)");
    assertThatThrownBy(() -> GHMR.TYPE.builder().build().forward(LossArgs.of(p, p, p).weight(p)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("GHMR got label_weight twice: as the second target and as weight");
  }

  @Test
  void ghmrRejectsSumBecauseMmdetectionNormalisesThroughAvgFactor() {
    INDArray p = f64(new double[8], 2, 4);
    assertThatThrownBy(() -> GHMR.TYPE.builder().options(o -> o.withReduction(Reduction.SUM)).build().forward(p, p, p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("GHMR does not support reduction='sum'");
  }

  @Test
  void ghmrRejectsLabelWeightThatDoesNotBroadcast() {
    INDArray p = f64(new double[8], 2, 4);
    assertThatThrownBy(() -> GHMR.TYPE.builder().build().forward(p, p, f64(new double[3], 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label_weight must broadcast to the element-wise loss shape [2,4]; got [3]");
  }

  @Test
  void upstreamOfTheWrongLengthIsRejected() {
    INDArray p = boxes(3);
    Loss loss = DIoULoss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build();
    assertThatThrownBy(() -> loss.forward(LossArgs.of(p, p.add(1f)).upstream(f32(new double[] {1, 1}, 2))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("upstream must have the loss shape [3] (3 elements); got 2 elements");
  }

  @Test
  void earlyReturnOfAllZeroWeightsNeedsAScalarUpstream() {
    INDArray p = boxes(3);
    Loss loss = GIoULoss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build();
    LossArgs args = LossArgs.of(p, p.add(1f)).weight(f32(new double[3], 3)).upstream(f32(new double[] {1, 1, 1}, 3));
    assertThatThrownBy(() -> loss.forward(args))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("GIoULoss returns the scalar (pred * weight).sum() when no weight is > 0, so upstream must be a"
            + " scalar; got 3 elements");
  }
}
