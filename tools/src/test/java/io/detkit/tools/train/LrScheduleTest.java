package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.ConfigException;
import io.detkit.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LrScheduleTest {
  private static LrSchedule of(String lrConfig, double lr, int epochs) {
    return LrSchedule.fromConfig(ConfigLoader.fromPythonExpression(lrConfig, "lr_config"), lr, epochs);
  }

  @Test
  void stepPolicyDecaysAtEachMilestoneEpochAfterLinearWarmup() {
    LrSchedule s = of("dict(policy='step', warmup='linear', warmup_iters=500, warmup_ratio=0.001, step=[8, 11])",
        0.01, 12);
    assertThat(s.valueAt(0, 0)).isCloseTo(0.01 * 0.001, within(1e-12));
    // mmcv: k = (1 - 250 / 500) * (1 - 0.001); lr * (1 - k)
    assertThat(s.valueAt(250, 0)).isCloseTo(0.01 * (1 - 0.5 * 0.999), within(1e-12));
    assertThat(s.valueAt(500, 0)).isEqualTo(0.01);
    assertThat(s.valueAt(9000, 7)).isEqualTo(0.01);
    assertThat(s.valueAt(9000, 8)).isCloseTo(0.001, within(1e-12));
    assertThat(s.valueAt(9000, 11)).isCloseTo(0.0001, within(1e-12));
  }

  @Test
  void cosineAnnealingFallsFromTheBaseToTheMinimumByEpoch() {
    LrSchedule s = of("dict(policy='CosineAnnealing', min_lr_ratio=0.1)", 1.0, 4);
    assertThat(s.valueAt(10, 0)).isEqualTo(1.0);
    assertThat(s.valueAt(10, 2)).isCloseTo(0.55, within(1e-12));
    assertThat(s.valueAt(10, 4)).isCloseTo(0.1, within(1e-12));
  }

  @Test
  void constantAndExponentialWarmup() {
    assertThat(of("dict(policy='fixed', warmup='constant', warmup_iters=10, warmup_ratio=0.5)", 2, 1).valueAt(3, 0))
        .isEqualTo(1.0);
    assertThat(of("dict(policy='fixed', warmup='exp', warmup_iters=10, warmup_ratio=0.01)", 1, 1).valueAt(5, 0))
        .isCloseTo(0.1, within(1e-12));
    assertThat(LrSchedule.fromConfig(null, 0.3, 1).valueAt(0, 0)).isEqualTo(0.3);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
      dict(policy='poly')                                              | policy
      dict(policy='step', step=[1], warmup='cubic')                    | warmup
      dict(policy='CosineAnnealing')                                   | min_lr
      dict(policy='CosineAnnealing', min_lr=0, min_lr_ratio=0.1)       | exactly one of min_lr and min_lr_ratio
      dict(policy='step', step=[1], by_epoch=False)                    | only by_epoch=True
      dict(policy='step', step=[1], warmup_by_epoch=True)              | only warm-up by iteration
      dict(policy='step', step=[1], warmup='linear', warmup_ratio=0)   | warmup_ratio in (0, 1]
      dict(policy='step', step=[1], gama=0.1)                          | unknown parameter 'gama' for lr_config
      """)
  void badConfigsAreNamed(String lrConfig, String message) {
    assertThatThrownBy(() -> of(lrConfig, 1, 1)).isInstanceOf(ConfigException.class).hasMessageContaining(message);
  }
}
