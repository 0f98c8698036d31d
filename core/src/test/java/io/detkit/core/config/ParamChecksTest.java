package io.detkit.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.ParamChecks.BinCount;
import io.detkit.core.config.ParamChecks.Finite;
import io.detkit.core.config.ParamChecks.Fraction;
import io.detkit.core.config.ParamChecks.NonNegative;
import io.detkit.core.config.ParamChecks.NotNaN;
import io.detkit.core.config.ParamChecks.Positive;
import io.detkit.core.config.ParamChecks.PositiveFloat32;
import io.detkit.core.config.ParamChecks.UnitInterval;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The component rules of a parameter record and the one validator that runs them, for every module. */
class ParamChecksTest {
  /** A record of its own (not a component's {@code Params}): messages name the key alone. */
  record Ranges(@Positive double positive, @NonNegative double nonNegative, @Finite double finite,
      @PositiveFloat32 double eps, @Fraction double momentum, @BinCount int bins, boolean free,
      @Positive int count, @NotNaN double thr, @UnitInterval double share, @UnitInterval Double optionalShare) {
    Ranges {
      ParamChecks.check(Ranges.class, positive, nonNegative, finite, eps, momentum, bins, free, count, thr, share,
          optionalShare);
    }

    static Ranges ok() {
      return new Ranges(1, 0, -2, 1e-6, 0, 1, true, 1, 0.5, 0.5, null);
    }
  }

  /** A component around its {@code Params}: messages name the component; a renamed key is the config's. */
  static final class Probe {
    record Params(@ConfigField(key = "thr_value") @NotNaN double thr) {
      Params {
        ParamChecks.check(Params.class, thr);
      }
    }
  }

  record TooFewValues(@Positive double a, double b) {
    TooFewValues {
      ParamChecks.check(TooFewValues.class, a);
    }
  }

  record WrongType(@Fraction int count) {
    WrongType {
      ParamChecks.check(WrongType.class, count);
    }
  }

  /** The check's list drifted from the header: the two components of different types are swapped. */
  record Swapped(@Positive double a, @Positive int b) {
    Swapped {
      ParamChecks.check(Swapped.class, b, a);
    }
  }

  record TwoRules(@Positive @Finite double a) {
    TwoRules {
      ParamChecks.check(TwoRules.class, a);
    }
  }

  static Stream<Arguments> outOfRange() {
    return Stream.of(
        Arguments.of((Runnable) () -> new Ranges(0, 0, 0, 1e-6, 0, 1, true, 1, 0, 0, null),
            "positive must be a finite number > 0; got 0.0"),
        Arguments.of((Runnable) () -> new Ranges(Double.POSITIVE_INFINITY, 0, 0, 1e-6, 0, 1, true, 1, 0, 0, null),
            "positive must be a finite number > 0; got Infinity"),
        Arguments.of((Runnable) () -> new Ranges(1, -1e-9, 0, 1e-6, 0, 1, true, 1, 0, 0, null),
            "non_negative must be a finite number >= 0; got -1.0E-9"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, Double.NaN, 1e-6, 0, 1, true, 1, 0, 0, null),
            "finite must be finite; got NaN"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-300, 0, 1, true, 1, 0, 0, null),
            "eps must be positive and representable in float32 (1.4E-45 to 3.4028235E38); got 1.0E-300"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 1.0, 1, true, 1, 0, 0, null),
            "momentum must be in [0, 1); got 1.0"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, -0.0001, 1, true, 1, 0, 0, null),
            "momentum must be in [0, 1); got -1.0E-4"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 0, true, 1, 0, 0, null),
            "bins must be in [1, 1024] (Limits.MAX_BINS); got 0"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 1025, true, 1, 0, 0, null),
            "bins must be in [1, 1024] (Limits.MAX_BINS); got 1025"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 1, true, 0, 0, 0, null),
            "count must be > 0; got 0"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 1, true, 1, Double.NaN, 0, null),
            "thr must be a number; got NaN"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 1, true, 1, 0, 1.5, null),
            "share must be in [0, 1]; got 1.5"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 1, true, 1, 0, Double.NaN, null),
            "share must be in [0, 1]; got NaN"),
        Arguments.of((Runnable) () -> new Ranges(1, 0, 0, 1e-6, 0, 1, true, 1, 0, 0, -0.5),
            "optional_share must be in [0, 1]; got -0.5"));
  }

  @ParameterizedTest
  @MethodSource("outOfRange")
  void eachRuleRefusesWhatItsMessageSays(Runnable make, String message) {
    assertThatThrownBy(make::run).isInstanceOf(ParamChecks.BadParameter.class).hasMessage(message);
  }

  @Test
  void theBoundsThemselvesAreAccepted() {
    assertThatCode(Ranges::ok).doesNotThrowAnyException();
    assertThatCode(() -> new Ranges(Double.MIN_VALUE, 0, -Double.MAX_VALUE, Float.MIN_VALUE, 0.999, 1024, false,
        Integer.MAX_VALUE, Double.NEGATIVE_INFINITY, 1, 0.0)).doesNotThrowAnyException();
    assertThatCode(() -> new Ranges(1, 0, 0, 1e-6, 0, 1, true, 1, Double.POSITIVE_INFINITY, 0, 1.0))
        .doesNotThrowAnyException();
  }

  @Test
  void aComponentsParamsNameTheComponentAndTheConfigKey() {
    assertThatThrownBy(() -> new Probe.Params(Double.NaN)).isInstanceOf(ParamChecks.BadParameter.class)
        .hasMessage("Probe: thr_value must be a number; got NaN")
        .satisfies(e -> assertThat(((ParamChecks.BadParameter) e).key()).isEqualTo("thr_value"));
  }

  @Test
  void aReraiseFromADictGoesToTheBadKeysPath() {
    Config c = Config.of("outer", java.util.Map.of("thr_value", 1.0));
    assertThatThrownBy(() -> ConfigException.reraisedAt(c, () -> new Probe.Params(Double.NaN)))
        .isInstanceOf(ConfigException.class).hasMessage("outer.thr_value: Probe: thr_value must be a number; got NaN");
    assertThatThrownBy(() -> ConfigException.reraisedAt(c, () -> {
      throw new IllegalArgumentException("low must be <= high");
    })).isInstanceOf(ConfigException.class).hasMessage("outer: low must be <= high");
  }

  @Test
  void aDeclarationThatDoesNotMatchItsRecordFailsWhenFirstMade() {
    assertThatThrownBy(() -> new TooFewValues(1, 2)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TooFewValues has 2 components; the check got 1 values");
    assertThatThrownBy(() -> new WrongType(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("WrongType.count: @Fraction applies to a double component");
    assertThatThrownBy(() -> new Swapped(1.5, 2)).isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("Swapped.a is component 0 of type Double; the check got a Integer there: pass the"
            + " components in the record header's order");
    assertThatThrownBy(() -> new TwoRules(1)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("TwoRules.a has more than one range rule");
  }

  @Test
  void aTypeNameIsTheClassesSimpleName() {
    assertThat(ComponentType.typeNameOf(Probe.class)).isEqualTo("Probe");
    assertThatThrownBy(() -> ComponentType.typeNameOf(new Object() {}.getClass()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a component needs a named class");
  }
}
