package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.detkit.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;

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

  @Test
  void badConfigsAreNamed() {
    assertThatThrownBy(() -> of("dict(policy='poly')", 1, 1)).hasMessageContaining("policy");
    assertThatThrownBy(() -> of("dict(policy='step', step=[1], warmup='cubic')", 1, 1)).hasMessageContaining("warmup");
    assertThatThrownBy(() -> of("dict(policy='CosineAnnealing')", 1, 1)).hasMessageContaining("min_lr");
    assertThatThrownBy(() -> of("dict(policy='step', step=[1], gama=0.1)", 1, 1)).hasMessageContaining("gama");
  }
}
