package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.f32;
import static io.detkit.losses.RegressionTestSupport.f64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** Values and gradients of the element-wise regression losses on hand-picked differences. */
class ElementwiseRegressionLossTest {
  private static final double[] PRED = {0, 0.25, -0.5, 2, 1, -3};
  private static final double[] TARGET = {0, 0, 0, 0, 0, 0};

  private static LossResult none(Loss loss) {
    return loss.forward(LossArgs.of(f64(PRED, 6), f64(TARGET, 6)).reductionOverride(Reduction.NONE));
  }

  @Test
  void smoothL1() {
    LossResult r = none(SmoothL1Loss.TYPE.builder().params(p -> p.withBeta(1.0)).build());
    assertThat(Tensors.toDoubles(r.value())).containsExactly(0, 0.03125, 0.125, 1.5, 0.5, 2.5);
    // d == beta takes the linear branch: slope 1 (both branches agree there)
    assertThat(Tensors.toDoubles(r.gradPred())).containsExactly(0, 0.25, -0.5, 1, 1, -1);
  }

  @Test
  void l1AndMse() {
    assertThat(Tensors.toDoubles(none(L1Loss.TYPE.builder().build()).value())).containsExactly(0, 0.25, 0.5, 2, 1, 3);
    assertThat(Tensors.toDoubles(none(L1Loss.TYPE.builder().build()).gradPred())).containsExactly(0, 1, -1, 1, 1, -1);
    assertThat(Tensors.toDoubles(none(MSELoss.TYPE.builder().build()).value()))
        .containsExactly(0, 0.0625, 0.25, 4, 1, 9);
    assertThat(Tensors.toDoubles(none(MSELoss.TYPE.builder().build()).gradPred()))
        .containsExactly(0, 0.5, -1, 4, 2, -6);
  }

  @Test
  void balancedL1MeetsItsLinearBranchAtBetaOne() {
    double b = Math.exp(3) - 1;
    LossResult r = none(BalancedL1Loss.TYPE.builder().build());
    double[] v = Tensors.toDoubles(r.value());
    double quarter = 0.5 / b * (b * 0.25 + 1) * Math.log(b * 0.25 + 1) - 0.5 * 0.25;
    assertThat(v[1]).isCloseTo(quarter, within(1e-15));
    assertThat(v[3]).isCloseTo(1.5 * 2 + 1.5 / b - 0.5, within(1e-15));
    assertThat(v[4]).isCloseTo(1.5 + 1.5 / b - 0.5, within(1e-15));
    double[] g = Tensors.toDoubles(r.gradPred());
    assertThat(g[0]).isEqualTo(0.0);
    assertThat(g[4]).isEqualTo(1.5);
    assertThat(g[5]).isEqualTo(-1.5);
  }

  @Test
  void branchAtBetaIsDecidedInTheInputsPrecision() {
    // float32(0.7) is just below 0.7: PyTorch compares float32 |d| with float32 beta, so the float32
    // call takes the linear branch (slope gamma) while the float64 call with the same value takes
    // the log branch, whose slope differs from gamma when beta != 1.
    BalancedL1Loss loss = BalancedL1Loss.TYPE.builder().params(p -> p.withBeta(0.7))
        .options(o -> o.withReduction(Reduction.NONE)).build();
    double d = (float) 0.7;
    double g32 = Tensors.toDoubles(loss.forward(f32(new double[] {d}, 1), f32(new double[] {0}, 1)).gradPred())[0];
    double g64 = Tensors.toDoubles(loss.forward(f64(new double[] {d}, 1), f64(new double[] {0}, 1)).gradPred())[0];
    assertThat(g32).isEqualTo(1.5);
    double b = Math.exp(3) - 1;
    assertThat(g64).isCloseTo(0.5 * Math.log(b * d / 0.7 + 1) + 0.5 * (b * d + 1) / (b * d + 0.7) - 0.5,
        within(1e-12));
    assertThat(Math.abs(g64 - g32)).isGreaterThan(0.005);
  }
}
