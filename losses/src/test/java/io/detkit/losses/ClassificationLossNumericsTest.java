package io.detkit.losses;

import static io.detkit.losses.LossScenarios.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Logits of magnitude 1e4 and probabilities exactly 0 or 1 give the right finite values and
 * gradients (expected values from the limits of the formulas, worked out by hand), in float32 and
 * float64.
 */
class ClassificationLossNumericsTest {
  private static final double BIG = 1e4;

  private static INDArray arr(DataType dt, double[] data, long... shape) {
    return Tensors.create(data, dt, shape);
  }

  private static Loss none(Config c) {
    return Losses.build(c.with("reduction", "none"));
  }

  private static void assertValues(INDArray actual, double... expected) {
    double[] a = Tensors.toDoubles(actual);
    assertThat(a).hasSize(expected.length);
    for (int i = 0; i < a.length; i++) {
      assertThat(Double.isFinite(a[i])).as("element %d (%s) is finite", i, a[i]).isTrue();
      assertThat(a[i]).as("element %d", i).isCloseTo(expected[i], offset(1e-6 + 1e-6 * Math.abs(expected[i])));
    }
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void focalLossAtHugeLogits(DataType dt) {
    // Row 0 is class 0, row 1 background: targets [1,0] and [0,0].
    INDArray pred = arr(dt, new double[] {-BIG, BIG, BIG, -BIG}, 2, 2);
    LossResult r = none(Config.of("type", "FocalLoss", "gamma", 2.0, "alpha", 0.25))
        .forward(pred, ints(new long[] {0, 2}, 2));
    // Confidently wrong elements: BCE = 1e4, pt = 1, weight alpha (positive) or 1 - alpha (negative);
    // d/dx = (sigmoid - t) * weight because sigmoid' underflows to 0. Confidently right ones give 0.
    assertValues(r.value(), 0.25 * BIG, 0.75 * BIG, 0.75 * BIG, 0.0);
    assertValues(r.gradPred(), -0.25, 0.75, 0.75, 0.0);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void focalLossWithGammaBelowOneStaysFiniteWhereSigmoidSaturates(DataType dt) {
    INDArray pred = arr(dt, new double[] {BIG, -BIG}, 1, 2);
    LossResult r = none(Config.of("type", "FocalLoss", "gamma", 0.5)).forward(pred, ints(new long[] {0}, 1));
    // pt = 0 for both (right with full confidence): torch's pow backward gives 0 * inf = NaN here.
    assertValues(r.value(), 0.0, 0.0);
    assertValues(r.gradPred(), 0.0, 0.0);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void activatedFocalLossAtProbabilitiesZeroAndOne(DataType dt) {
    // Row 0: class 0 positive, class 1 negative; p = 0 and 1 both wrong. Row 1: background, p right.
    INDArray pred = arr(dt, new double[] {0, 1, 0, 0}, 2, 2);
    LossResult r = none(Config.of("type", "FocalLoss", "activated", true, "gamma", 2.0, "alpha", 0.25))
        .forward(pred, ints(new long[] {0, 2}, 2));
    // torch clamps log at -100 and floors p(1-p) at 1e-12 in the backward:
    // value = 100 * alpha_t * pt^2 with pt = 1; d/dp = (p - t)/1e-12 * alpha_t + 100 * alpha_t * 2 * (1 - 2t).
    assertValues(r.value(), 25.0, 75.0, 0.0, 0.0);
    assertValues(r.gradPred(), -0.25e12 - 50.0, 0.75e12 + 150.0, 0.0, 0.0);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void crossEntropyAtHugeLogits(DataType dt) {
    INDArray softPred = arr(dt, new double[] {BIG, -BIG, 0}, 1, 3);
    LossResult soft = none(Config.of("type", "CrossEntropyLoss")).forward(softPred, ints(new long[] {1}, 1));
    // logsumexp = 1e4, so -log softmax[1] = 2e4; gradient softmax - onehot = [1, -1, 0].
    assertValues(soft.value(), 2 * BIG);
    assertValues(soft.gradPred(), 1.0, -1.0, 0.0);

    INDArray sigPred = arr(dt, new double[] {-BIG, BIG}, 1, 2);
    LossResult sig = none(Config.of("type", "CrossEntropyLoss", "use_sigmoid", true, "class_weight",
        List.of(3.0, 1.0))).forward(sigPred, ints(new long[] {0}, 1));
    // pos_weight 3 on the positive: 3 * softplus(1e4) = 3e4, gradient -3; the negative: 1e4, gradient 1.
    assertValues(sig.value(), 3 * BIG, BIG);
    assertValues(sig.gradPred(), -3.0, 1.0);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void varifocalAndQualityFocalAtHugeLogits(DataType dt) {
    INDArray pred = arr(dt, new double[] {-BIG, BIG}, 1, 2);
    LossResult vfl = none(Config.of("type", "VarifocalLoss")).forward(pred, arr(dt, new double[] {0.8, 0}, 1, 2));
    // Positive t = 0.8: BCE = 0.8e4, weight t -> 6400, d/dx = (0 - 0.8) * 0.8. Negative: BCE = 1e4,
    // weight 0.75 * |1 - 0|^2, d/dx = 1 * 0.75 (the weight's own derivative carries sigmoid' = 0).
    assertValues(vfl.value(), 0.64 * BIG, 0.75 * BIG);
    assertValues(vfl.gradPred(), -0.64, 0.75);

    LossResult qfl = none(Config.of("type", "QualityFocalLoss")).forward(
        LossArgs.of(pred, ints(new long[] {0}, 1), arr(dt, new double[] {1.0}, 1)));
    // Class 0 positive with score 1: BCE = 1e4, |1 - 0|^2 = 1; class 1 negative: BCE = 1e4, sigma^2 = 1.
    assertValues(qfl.value(), 2 * BIG);
    assertValues(qfl.gradPred(), -1.0, 1.0);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void distributionFocalLossAtHugeLogits(DataType dt) {
    INDArray pred = arr(dt, new double[] {BIG, 0, 0, 0}, 1, 4);
    LossResult r = none(Config.of("type", "DistributionFocalLoss")).forward(pred, arr(dt, new double[] {0.5}, 1));
    // CE to bin 0 is 0, to bin 1 is 1e4, each weighted 0.5; gradient softmax - (0.5, 0.5, 0, 0).
    assertValues(r.value(), 0.5 * BIG);
    assertValues(r.gradPred(), 0.5, -0.5, 0.0, 0.0);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void ghmcAtHugeLogits(DataType dt) {
    INDArray pred = arr(dt, new double[] {-BIG, BIG}, 1, 2);
    LossResult r = none(Config.of("type", "GHMC", "bins", 10)).forward(
        LossArgs.of(pred, ints(new long[] {0}, 1), arr(dt, new double[] {1.0}, 1)));
    // Both elements have g = 1 (last bin, holding 2 of tot = 2): weight 1 each.
    assertValues(r.value(), BIG, BIG);
    assertValues(r.gradPred(), -1.0, 1.0);
  }

  @ParameterizedTest
  @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
  void gaussianFocalLossAtProbabilitiesZeroAndOne(DataType dt) {
    INDArray pred = arr(dt, new double[] {0, 1, 1, 0}, 4);
    INDArray target = arr(dt, new double[] {1, 1, 0.5, 0.5}, 4);
    LossResult r = none(Config.of("type", "GaussianFocalLoss", "alpha", 2.0, "gamma", 4.0)).forward(pred, target);
    double logEps = Math.log(1e-12);
    // p = 0 on a peak: -log(eps) with d/dp = -1/eps + 2 log(eps); p = 1 on a peak: 0; p = 1 off the
    // peak: -log(eps) * 0.5^4 with d/dp = (1/eps) * 0.5^4 - 2 log(eps) * 0.5^4 ... and p = 0 off it: 0.
    double w = Math.pow(0.5, 4);
    assertValues(r.value(), -logEps, 0.0, -logEps * w, 0.0);
    assertValues(r.gradPred(), -1e12 + 2 * logEps, 0.0, (1e12 - 2 * logEps) * w, 0.0);
  }

  @Test
  void reducedLossesStayFiniteInFloat32() {
    INDArray pred = arr(DataType.FLOAT, new double[] {-BIG, BIG, BIG, -BIG, 3e4, -3e4}, 3, 2);
    for (String type : new String[] {"FocalLoss", "VarifocalLoss"}) {
      INDArray target = type.equals("FocalLoss") ? ints(new long[] {0, 2, 1}, 3)
          : arr(DataType.FLOAT, new double[] {1, 0, 0, 0.5, 0, 1}, 3, 2);
      LossResult r = Losses.build(Config.of("type", type)).forward(pred, target);
      assertThat(Double.isFinite(r.scalar())).as(type).isTrue();
      for (double g : Tensors.toDoubles(r.gradPred())) {
        assertThat(Double.isFinite(g)).as(type + " gradient").isTrue();
      }
    }
  }
}
