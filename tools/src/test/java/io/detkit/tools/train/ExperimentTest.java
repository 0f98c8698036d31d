package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.ConfigException;
import io.detkit.tools.TestConfigs;
import org.junit.jupiter.api.Test;

class ExperimentTest {
  @Test
  void ofReadsTheScheduleFromTheConfig() {
    Experiment exp = Experiment.of(TestConfigs.small("retinanet_shapes.py", "data.samples_per_gpu=3",
        "runner.max_epochs=5", "log_config.interval=7"), 11);
    assertThat(exp.seed()).isEqualTo(11);
    assertThat(exp.batchSize()).isEqualTo(3);
    assertThat(exp.maxEpochs()).isEqualTo(5);
    assertThat(exp.logInterval()).isEqualTo(7);
    assertThat(exp.head().type()).isEqualTo("RetinaHead");
  }

  @Test
  void ofNamesTheKeyOfANonPositiveBatchSize() {
    assertThatThrownBy(() -> Experiment.of(TestConfigs.small("retinanet_shapes.py", "data.samples_per_gpu=0"), 0))
        .isInstanceOf(ConfigException.class).hasMessageContaining("samples_per_gpu");
  }

  @Test
  void theConstructorNamesTheBadPart() {
    Experiment exp = Experiment.of(TestConfigs.small("retinanet_shapes.py"), 0);
    assertThatThrownBy(() -> new Experiment(exp.config(), 0, exp.head(), 2, 1, 1, 0, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("checkpointInterval must be > 0; got 0");
    assertThatThrownBy(() -> new Experiment(exp.config(), 0, null, 2, 1, 1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("head must not be null");
  }
}
