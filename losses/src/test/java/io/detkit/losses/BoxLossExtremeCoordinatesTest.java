package io.detkit.losses;

import static io.detkit.losses.RegressionTestSupport.assertAllFinite;
import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.tensor.Tensors;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Coordinates around 1e6 and zero-area boxes give finite values and gradients in both precisions. */
class BoxLossExtremeCoordinatesTest {
  static List<Loss> losses(Reduction r) {
    List<Loss> out = LossScenarios.withReduction(r, IoULoss.TYPE, GIoULoss.TYPE, DIoULoss.TYPE, CIoULoss.TYPE,
        BoundedIoULoss.TYPE, SmoothL1Loss.TYPE, L1Loss.TYPE, BalancedL1Loss.TYPE, MSELoss.TYPE);
    for (IoULoss.Mode mode : new IoULoss.Mode[] {IoULoss.Mode.LINEAR, IoULoss.Mode.SQUARE}) {
      out.add(IoULoss.TYPE.builder().params(p -> p.withMode(mode)).options(o -> o.withReduction(r)).build());
    }
    return out;
  }

  /** Large boxes near 1e6, including an identical pair, a disjoint pair and a zero-width one. */
  private static final double[] BIG_PRED = {
    1e6, 1e6, 1e6 + 5e4, 1e6 + 3e4,
    2e6, 2e6, 2e6 + 1e5, 2e6 + 2e5,
    1e6, 1e6, 1e6 + 10, 1e6 + 10,
    5e5, 5e5, 5e5, 5e5 + 1e4,
  };
  private static final double[] BIG_TARGET = {
    1e6 + 1e3, 1e6 - 2e3, 1e6 + 4e4, 1e6 + 3.5e4,
    2e6, 2e6, 2e6 + 1e5, 2e6 + 2e5,
    3e6, 3e6, 3e6 + 10, 3e6 + 10,
    5e5, 5e5, 5e5 + 1, 5e5 + 1e4,
  };

  /** Zero-area boxes: points, lines, identical points, a point inside a box. */
  private static final double[] ZERO_PRED = {
    5, 5, 5, 5,
    0, 0, 10, 0,
    3, 3, 3, 3,
    2, 2, 2, 2,
  };
  private static final double[] ZERO_TARGET = {
    5, 5, 5, 5,
    0, 0, 10, 0,
    7, 1, 7, 9,
    0, 0, 4, 4,
  };

  @Test
  void coordinatesAround1e6GiveFiniteValuesAndGradients() {
    check(BIG_PRED, BIG_TARGET);
  }

  @Test
  void zeroAreaBoxesGiveFiniteValuesAndGradients() {
    check(ZERO_PRED, ZERO_TARGET);
  }

  @Test
  void ghmrIsFiniteForLargeDifferencesAndIdenticalValues() {
    for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      INDArray p = Tensors.create(BIG_PRED, dt, 4, 4);
      INDArray t = Tensors.create(BIG_TARGET, dt, 4, 4);
      INDArray lw = Tensors.create(new double[16], dt, 4, 4).addi(1);
      for (Reduction r : List.of(Reduction.MEAN, Reduction.NONE)) {
        for (double mu : new double[] {0.02, 0.0}) {
          LossResult res = GHMR.TYPE.builder().params(q -> q.withMu(mu)).options(o -> o.withReduction(r)).build()
              .forward(p, t, lw);
          assertAllFinite(res.value(), "GHMR(mu=" + mu + ") " + r + " value");
          assertAllFinite(res.gradPred(), "GHMR(mu=" + mu + ") " + r + " gradient");
        }
      }
    }
  }

  private static void check(double[] pred, double[] target) {
    for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      INDArray p = Tensors.create(pred, dt, 4, 4);
      INDArray t = Tensors.create(target, dt, 4, 4);
      for (Reduction r : Reduction.values()) {
        for (Loss loss : losses(r)) {
          LossResult res = loss.forward(p, t);
          assertAllFinite(res.value(), loss + " " + dt + " value");
          assertAllFinite(res.gradPred(), loss + " " + dt + " gradient");
        }
      }
    }
  }

  @Test
  void identicalBoxesAt1e6HaveZeroCIoULossAndGradient() {
    // The area (2e10) is so large that area + eps rounds to area even in float64: iou is exactly 1
    // and v is 0, MMDetection's 0/0 for alpha.
    double[] box = {1e6, 1e6, 1e6 + 2e5, 1e6 + 1e5};
    for (DataType dt : List.of(DataType.FLOAT, DataType.DOUBLE)) {
      LossResult res = CIoULoss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build()
          .forward(Tensors.create(box, dt, 1, 4), Tensors.create(box, dt, 1, 4));
      assertThat(Math.abs(res.value().getDouble(0))).isEqualTo(0.0);
      for (double g : Tensors.toDoubles(res.gradPred())) {
        assertThat(Math.abs(g)).isEqualTo(0.0);
      }
    }
  }
}
