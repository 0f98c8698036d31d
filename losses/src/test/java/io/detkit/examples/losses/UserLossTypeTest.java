package io.detkit.examples.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.Positive;
import io.detkit.core.config.Registry;
import io.detkit.losses.Elementwise;
import io.detkit.losses.ElementwiseRegression;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossOptions;
import io.detkit.losses.LossResult;
import io.detkit.losses.LossType;
import io.detkit.losses.ParamLoss;
import io.detkit.losses.Reduction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A user's loss declared outside {@code io.detkit.losses}, the way the descriptor's Javadoc tells
 * users to: its own {@code Params} record, a {@link LossType} constant, registration by descriptor,
 * and both entry points (config dict and builder) giving the same numbers.
 */
class UserLossTypeTest {
  /**
   * {@code scale * |pred - target|}, with the gradient {@code scale * sign(pred - target)}: the whole
   * declaration is the record (its range rule on the component, checked by its constructor), the
   * descriptor (type name from the class, keys from the components) and the constructor.
   */
  static final class ScaledL1Loss extends ParamLoss<ScaledL1Loss.Params> {
    record Params(@Positive double scale) {
      static final Params DEFAULTS = new Params(1.0);

      Params {
        ParamChecks.check(Params.class, scale);
      }
    }

    static final LossType<Params, ScaledL1Loss> TYPE =
        LossType.of(ScaledL1Loss.class, Params.DEFAULTS, ScaledL1Loss::new);

    ScaledL1Loss(LossOptions options, Params params) {
      super(options, params);
    }

    /** The element's formula and slope, on the library's element-wise loop ({@link ElementwiseRegression}). */
    @Override
    protected Elementwise kernel(LossArgs args) {
      double s = params().scale();
      return ElementwiseRegression.kernel(args, (p, t, f32) -> s * Math.abs(p - t), (p, t, f32) -> s * Math.signum(p - t));
    }
  }

  private static INDArray f64(double... v) {
    return Nd4j.createFromArray(v);
  }

  /**
   * A registry of the user's own, as {@code Losses.REGISTRY} would hold the type after
   * {@code Losses.REGISTRY.register(ScaledL1Loss.TYPE)} (not done here, so that the global registry's
   * built-in list stays as other tests in the same JVM pin it).
   */
  private static final Registry<Loss> REGISTRY = new Registry<Loss>("loss").register(ScaledL1Loss.TYPE);

  @Test
  void aUserLossRegisteredByItsDescriptorBuildsFromAConfigWithItsOwnAndTheSharedKeys() {
    Loss loss = REGISTRY.build(Config.of("type", "ScaledL1Loss", "scale", 2.0, "loss_weight", 0.5));
    assertThat(loss).isInstanceOf(ScaledL1Loss.class);
    assertThat(((ScaledL1Loss) loss).params().scale()).isEqualTo(2.0);
    LossResult r = loss.forward(LossArgs.of(f64(1, 2, 3), f64(0, 2, 5)));
    // |d| = 1, 0, 2; times scale 2 -> 2, 0, 4; mean 2; times loss_weight 0.5 -> 1.
    assertThat(r.scalar()).isCloseTo(1.0, offset(1e-12));
    assertThat(r.gradPred().toDoubleVector()).containsExactly(new double[] {1.0 / 3, 0, -1.0 / 3}, offset(1e-12));
  }

  @Test
  void theBuilderEditsBothRecordsAndMatchesTheConfigPath() {
    Loss built = ScaledL1Loss.TYPE.builder().params(p -> new ScaledL1Loss.Params(3.0))
        .options(o -> o.withReduction(Reduction.SUM)).build();
    Loss configured = ScaledL1Loss.TYPE.fromConfig(Config.of("type", "ScaledL1Loss", "scale", 3.0, "reduction", "sum"));
    LossArgs args = LossArgs.of(f64(1, 2, 3), f64(0, 2, 5));
    // 3 * (1 + 0 + 2) = 9, summed.
    assertThat(built.forward(args).scalar()).isEqualTo(9.0);
    assertThat(configured.forward(args).scalar()).isEqualTo(9.0);
  }

  @Test
  void badValuesAndUnknownKeysAreRefusedNamingTheKey() {
    assertThatThrownBy(() -> REGISTRY.build(Config.of("type", "ScaledL1Loss", "scale", -1.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("scale: ScaledL1Loss: scale must be a finite number > 0; got -1.0");
    assertThatThrownBy(() -> REGISTRY.build(Config.of("type", "ScaledL1Loss", "scal", 2.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("scal: unknown parameter 'scal' for loss type 'ScaledL1Loss'; accepted: scale, ");
    assertThatThrownBy(() -> REGISTRY.build(Config.of("type", "ScaledL1Loss", "scale", "2")))
        .isInstanceOf(ConfigException.class).hasMessage("scale: expected a number, got '2'");
    assertThatThrownBy(() -> ScaledL1Loss.TYPE.builder().params(p -> new ScaledL1Loss.Params(0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ScaledL1Loss: scale must be a finite number > 0; got 0.0");
    assertThatThrownBy(() -> ScaledL1Loss.TYPE.builder().options(null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("edit");
    assertThatThrownBy(() -> ScaledL1Loss.TYPE.builder().params(p -> null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("params");
  }
}
