package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.f32;
import static io.detkit.losses.RegressionTestSupport.f64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.Config;
import io.detkit.core.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * The IoU-family losses on boxes worked out by hand. Row 0: pred (0,0,10,10) and target
 * (5,0,15,10) overlap by 50 with union 150 (iou 1/3), enclosing box 15 x 10. Row 1: pred
 * (0,0,10,10) and target (20,0,30,10) are disjoint, enclosing box 30 x 10.
 */
class IoUFamilyKnownValuesTest {
  private static final double[] PRED = {0, 0, 10, 10, 0, 0, 10, 10};
  private static final double[] TARGET = {5, 0, 15, 10, 20, 0, 30, 10};

  private static double[] none(Loss loss) {
    return Tensors.toDoubles(loss.forward(LossArgs.of(f64(PRED, 2, 4), f64(TARGET, 2, 4))
        .reductionOverride(Reduction.NONE)).value());
  }

  @Test
  void iouLossModes() {
    assertThat(none(IoULoss.TYPE.builder().params(p -> p.withMode(IoULoss.Mode.LINEAR)).build()))
        .containsExactly(new double[] {2.0 / 3, 1 - 1e-6}, within(1e-12));
    assertThat(none(IoULoss.TYPE.builder().params(p -> p.withMode(IoULoss.Mode.SQUARE)).build()))
        .containsExactly(new double[] {8.0 / 9, 1 - 1e-12}, within(1e-12));
    assertThat(none(IoULoss.TYPE.builder().build()))
        .containsExactly(new double[] {Math.log(3), -Math.log(1e-6)}, within(1e-12));
    assertThat(none(IoULoss.TYPE.fromConfig(Config.of("mode", "square", "linear", true))))
        .containsExactly(new double[] {2.0 / 3, 1 - 1e-6}, within(1e-12));
    assertThat(none(IoULoss.TYPE.builder().params(p -> p.withEps(0.5)).build()))
        .containsExactly(new double[] {Math.log(2), Math.log(2)}, within(1e-12));
  }

  @Test
  void iouClampStopsTheGradientOfDisjointBoxes() {
    double[] g = Tensors.toDoubles(IoULoss.TYPE.builder().build()
        .forward(LossArgs.of(f64(PRED, 2, 4), f64(TARGET, 2, 4))
        .reductionOverride(Reduction.NONE)).gradPred());
    // row 0: d(-ln iou)/d x2 = -(d overlap/overlap - d union/union) = -(10/50 - 0/150) ... union grows by 10 - 10 = 0
    assertThat(g[2]).isCloseTo(-10.0 / 50, within(1e-9));
    assertThat(g[4]).isEqualTo(0.0);
    assertThat(g[5]).isEqualTo(0.0);
    assertThat(g[6]).isEqualTo(0.0);
    assertThat(g[7]).isEqualTo(0.0);
  }

  @Test
  void giouLoss() {
    // row 0: giou = iou - (150 - 150) / 150 = 1/3; row 1: giou = 0 - (300 - 200) / 300 = -1/3
    assertThat(none(GIoULoss.TYPE.builder().build())).containsExactly(new double[] {2.0 / 3, 4.0 / 3}, within(1e-9));
  }

  @Test
  void diouLoss() {
    double iou = 50 / (150 + 1e-6);
    double row0 = 1 - iou + 25 / (15 * 15 + 10 * 10 + 1e-6);
    double row1 = 1 + 400 / (30 * 30 + 10 * 10 + 1e-6);
    assertThat(none(DIoULoss.TYPE.builder().build())).containsExactly(new double[] {row0, row1}, within(1e-12));
  }

  @Test
  void ciouLossEqualsDiouForBoxesOfTheSameAspectRatio() {
    assertThat(none(CIoULoss.TYPE.builder().build())).containsExactly(none(DIoULoss.TYPE.builder()
        .build()), within(1e-12));
  }

  @Test
  void boundedIoULossPerCoordinate() {
    double eps = 1e-3;
    double beta = 0.2;
    double sizeTerm = 1 - 10 / (10 + eps);
    double dy = 1 - 10 / (10 + eps);
    double[] expected = {
      // dx = 5 = w_t / 2: the centre term is 1 - max(0, 0) = 1 (linear branch)
      1 - 0.5 * beta, 0.5 * dy * dy / beta, 0.5 * sizeTerm * sizeTerm / beta, 0.5 * sizeTerm * sizeTerm / beta,
      1 - 0.5 * beta, 0.5 * dy * dy / beta, 0.5 * sizeTerm * sizeTerm / beta, 0.5 * sizeTerm * sizeTerm / beta,
    };
    assertThat(none(BoundedIoULoss.TYPE.builder().build())).containsExactly(expected, within(1e-12));
  }

  @Test
  void identicalBoxesGetZeroIoUGradientAsTiesSplitTheMinAndMax() {
    double[] box = {52.950485, 0.41107923, 77.92113, 25.36259};
    for (Loss loss : new Loss[] {IoULoss.TYPE.builder().build(),
        GIoULoss.TYPE.builder().build(), DIoULoss.TYPE.builder().build()}) {
      double[] g = Tensors.toDoubles(loss.forward(f32(box, 1, 4), f32(box, 1, 4)).gradPred());
      for (double x : g) {
        assertThat(Math.abs(x)).as("%s", loss).isLessThan(1e-9);
      }
    }
  }
}
