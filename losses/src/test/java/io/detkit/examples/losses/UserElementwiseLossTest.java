package io.detkit.examples.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.detkit.core.config.Config;
import io.detkit.core.config.Registry;
import io.detkit.losses.Elementwise;
import io.detkit.losses.ElementwiseRegression;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossOptions;
import io.detkit.losses.LossResult;
import io.detkit.losses.LossType;
import io.detkit.losses.Reduction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A user's element-wise regression loss outside {@code io.detkit.losses}, on the public kernel
 * {@link ElementwiseRegression}: the loss gives its element's formula and slope, the shared loop and
 * the five-step pipeline do the rest (weights, reduction, {@code loss_weight}, the gradient). This
 * one has no parameters of its own; {@code UserLossTypeTest.ScaledL1Loss} is one with a
 * {@code Params} record on the same kernel.
 */
class UserElementwiseLossTest {
  /**
   * The log-cosh loss {@code log(cosh(d))} of {@code d = pred - target}, slope {@code tanh(d)}:
   * quadratic near 0, linear far away, smooth everywhere.
   */
  static final class LogCoshLoss extends Loss {
    static final LossType<Void, LogCoshLoss> TYPE = LossType.of(LogCoshLoss.class, LogCoshLoss::new);

    LogCoshLoss(LossOptions options) {
      super(options);
    }

    @Override
    protected Elementwise kernel(LossArgs args) {
      return ElementwiseRegression.kernel(args, (p, t, f32) -> Math.log(Math.cosh(p - t)),
          (p, t, f32) -> Math.tanh(p - t));
    }
  }

  /** The user's own registry (the global one is left as other tests pin it). */
  private static final Registry<Loss> REGISTRY = new Registry<Loss>("loss").register(LogCoshLoss.TYPE);

  private static INDArray f64(double... v) {
    return Nd4j.createFromArray(v);
  }

  @Test
  void theFormulaGoesThroughTheSharedLoopAndPipeline() {
    Loss loss = REGISTRY.build(Config.of("type", "LogCoshLoss", "loss_weight", 2.0));
    LossResult r = loss.forward(LossArgs.of(f64(1, 2, 3), f64(0, 2, 5)));
    // d = 1, 0, -2: log(cosh(d)) averaged, times loss_weight 2; the gradient 2 tanh(d) / 3.
    assertThat(r.scalar()).isCloseTo(2 * (Math.log(Math.cosh(1)) + Math.log(Math.cosh(2))) / 3, offset(1e-12));
    assertThat(r.gradPred().toDoubleVector())
        .containsExactly(new double[] {2 * Math.tanh(1) / 3, 0, -2 * Math.tanh(2) / 3}, offset(1e-12));
  }

  @Test
  void theGradientIsTheFormulasDerivativeUnderWeights() {
    Loss loss = LogCoshLoss.TYPE.builder().options(o -> o.withReduction(Reduction.SUM)).build();
    double[] pred = {0.3, -1.2, 2.5, 0.0};
    double[] target = {0.1, 0.4, -0.5, 0.0};
    double[] weight = {1, 0.5, 0, 2};
    double[] grad = loss.forward(LossArgs.of(f64(pred), f64(target)).weight(f64(weight))).gradPred().toDoubleVector();
    for (int i = 0; i < pred.length; i++) {
      double[] up = pred.clone();
      double[] down = pred.clone();
      up[i] += 1e-6;
      down[i] -= 1e-6;
      double numeric = (loss.forward(LossArgs.of(f64(up), f64(target)).weight(f64(weight))).scalar()
          - loss.forward(LossArgs.of(f64(down), f64(target)).weight(f64(weight))).scalar()) / 2e-6;
      assertThat(grad[i]).as("element %d", i).isCloseTo(numeric, offset(1e-7));
    }
    assertThat(grad[2]).as("a zero weight").isZero();
  }

  @Test
  void theSharedLoopKeepsTheShapeAndChecksTheTarget() {
    Loss loss = LogCoshLoss.TYPE.builder().build();
    INDArray pred = Nd4j.rand(DataType.FLOAT, 2, 3);
    LossResult none = LogCoshLoss.TYPE.builder().options(o -> o.withReduction(Reduction.NONE)).build()
        .forward(LossArgs.of(pred, pred.dup()));
    assertThat(none.value().shape()).containsExactly(2, 3);
    assertThat(none.value().dataType()).isEqualTo(DataType.FLOAT);
    assertThatThrownBy(() -> loss.forward(LossArgs.of(pred, Nd4j.zeros(DataType.FLOAT, 3, 2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("target")
        .hasMessage("target must have pred's shape [2,3]; got [3,2]");
  }
}
