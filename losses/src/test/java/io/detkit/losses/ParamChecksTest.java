package io.detkit.losses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigField;
import io.detkit.losses.ParamChecks.BinCount;
import io.detkit.losses.ParamChecks.Finite;
import io.detkit.losses.ParamChecks.Fraction;
import io.detkit.losses.ParamChecks.NonNegative;
import io.detkit.losses.ParamChecks.Positive;
import io.detkit.losses.ParamChecks.PositiveFloat32;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The component rules of a loss's {@code Params} record and the one validator that runs them. */
class ParamChecksTest {
  /** A record of its own (no loss around it): messages name the key alone. */
  record Ranges(@Positive double positive, @NonNegative double nonNegative, @Finite double finite,
      @PositiveFloat32 double eps, @Fraction double momentum, @BinCount int bins, boolean free) {
    Ranges {
      ParamChecks.check(Ranges.class, positive, nonNegative, finite, eps, momentum, bins, free);
    }

    static Ranges ok() {
      return new Ranges(1, 0, -2, 1e-6, 0, 1, true);
    }
  }

  /** A loss around its record: messages name the loss; a renamed key is the config's. */
  static final class ProbeLoss extends ParamLoss<ProbeLoss.Params> {
    record Params(@ConfigField(key = "beta_value") @Positive double beta) {
      Params {
        ParamChecks.check(Params.class, beta);
      }
    }

    ProbeLoss(LossOptions options, Params params) {
      super(options, params);
    }

    @Override
    protected Elementwise kernel(LossArgs args) {
      throw new UnsupportedOperationException("not called");
    }
  }

  record TooFewValues(@Positive double a, double b) {
    TooFewValues {
      ParamChecks.check(TooFewValues.class, a);
    }
  }

  record WrongType(@Positive int count) {
    WrongType {
      ParamChecks.check(WrongType.class, count);
    }
  }

  record TwoRules(@Positive @Finite double a) {
    TwoRules {
      ParamChecks.check(TwoRules.class, a);
    }
  }

  static Stream<Arguments> outOfRange() {
    return Stream.of(
        Arguments.of((Runnable) () -> new Ranges(0, 0, 0, 1e-6, 0, 1, true),
            "positive must be a finite number > 0; got 0.0"),
        Arguments.of((Runnable) () -> new Ranges(Double.POSITIVE_INFINITY, 0, 0, 1e-6, 0, 1, true),
            "positive must be a finite number > 0; got Infinity"),
        Arguments.of((Runnable) () -> new Ranges(1, -1e-9, 0, 1e-6, 0, 1, true),
            "non_negative must be a finite number >= 0; got -1.0E-9"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, Double.NaN, 1e-6, 0, 1, true), "finite must be finite; got NaN"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-300, 0, 1, true),
            "eps must be positive and representable in float32 (1.4E-45 to 3.4028235E38); got 1.0E-300"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 1.0, 1, true), "momentum must be in [0, 1); got 1.0"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, -0.0001, 1, true),
            "momentum must be in [0, 1); got -1.0E-4"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 0, true),
            "bins must be in [1, 1024] (Limits.MAX_BINS); got 0"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 1025, true),
            "bins must be in [1, 1024] (Limits.MAX_BINS); got 1025"));
  }

  @ParameterizedTest
  @MethodSource("outOfRange")
  void eachRuleRefusesWhatItsMessageSays(Runnable make, String message) {
    assertThatThrownBy(make::run).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
  }

  @Test
  void theBoundsThemselvesAreAccepted() {
    assertThatCode(Ranges::ok).doesNotThrowAnyException();
    assertThatCode(() -> new Ranges(Double.MIN_VALUE, 0, -Double.MAX_VALUE, Float.MIN_VALUE, 0.999, 1024, false))
        .doesNotThrowAnyException();
  }

  @Test
  void aRecordInsideALossNamesTheLossAndTheConfigKey() {
    assertThatThrownBy(() -> new ProbeLoss.Params(-1)).isInstanceOf(Checks.BadParameter.class)
        .hasMessage("ProbeLoss: beta_value must be a finite number > 0; got -1.0")
        .satisfies(e -> assertThat(((Checks.BadParameter) e).key()).isEqualTo("beta_value"));
    LossType<ProbeLoss.Params, ProbeLoss> type = LossType.of(ProbeLoss.class, new ProbeLoss.Params(1), ProbeLoss::new);
    assertThat(type.name()).isEqualTo("ProbeLoss");
    assertThat(type.builder().build().type()).isEqualTo("ProbeLoss");
    assertThatThrownBy(() -> type.fromConfig(Config.of("type", "ProbeLoss", "beta_value", 0.0)))
        .isInstanceOf(ConfigException.class)
        .hasMessage("beta_value: ProbeLoss: beta_value must be a finite number > 0; got 0.0");
  }

  @Test
  void aDeclarationThatDoesNotMatchItsRecordFailsWhenFirstMade() {
    assertThatThrownBy(() -> new TooFewValues(1, 2)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TooFewValues has 2 components; the check got 1 values");
    assertThatThrownBy(() -> new WrongType(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WrongType.count: @Positive applies to a double component");
    assertThatThrownBy(() -> new TwoRules(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TwoRules.a has more than one range rule");
  }

  @Test
  void theSigmoidOnlyOptionRefusesUseSigmoidFalseNamingTheLoss() {
    assertThatThrownBy(() -> FocalLoss.TYPE.fromConfig(Config.of("type", "FocalLoss", "use_sigmoid", false)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("FocalLoss: use_sigmoid must be True (MMDetection implements FocalLoss for sigmoid scores only);"
            + " got False");
    assertThat(GHMC.TYPE.fromConfig(Config.of("type", "GHMC", "use_sigmoid", true))).isInstanceOf(GHMC.class);
    assertThatThrownBy(L1Loss.TYPE::sigmoidOnly).isInstanceOf(IllegalStateException.class)
        .hasMessage("L1Loss: sigmoidOnly needs a type with own parameters");
  }

  @Test
  void anAnonymousLossHasNoTypeName() {
    assertThatThrownBy(() -> new Loss(LossOptions.DEFAULTS) {
      @Override
      protected Elementwise kernel(LossArgs args) {
        return null;
      }
    }).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a loss needs a named class");
  }
}
