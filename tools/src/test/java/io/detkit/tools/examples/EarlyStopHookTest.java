package io.detkit.tools.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.tools.TestConfigs;
import io.detkit.tools.train.Checkpoint;
import io.detkit.tools.train.Experiment;
import io.detkit.tools.train.Trainer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EarlyStopHookTest {
  private static final Path CONFIG = Path.of("src/test/resources/configs/early_stop_atss.py");

  @BeforeAll
  static void register() {
    EarlyStopHook.register();
  }

  @Test
  void aConfigFileWithTheHookStopsTheRunAndTheLastEpochIsSaved(@TempDir Path dir) throws Exception {
    // 16 images in batches of 8: 2 iterations an epoch; the hook's min_delta of 100 stops after epoch 2 of 5.
    Experiment exp = Experiment.of(TestConfigs.small(CONFIG, "data.train.num_images=16", "runner.max_epochs=5"), 0);
    Trainer.Result r = new Trainer(exp, dir, "early_stop_atss.py", false, System.err).noValidate().run();
    assertThat(r.iterations()).isEqualTo(4);
    assertThat(dir.resolve("epoch_2.ckpt")).isNotEmptyFile();
    assertThat(dir.resolve("epoch_3.ckpt")).doesNotExist();
    assertThat(Checkpoint.read(dir.resolve("latest.ckpt")).metaJson()).contains("\"epoch\" : 2");
  }

  @Test
  void outOfRangeParametersAreRefusedByName() {
    assertThatThrownBy(() -> EarlyStopHook.fromConfig(Config.of("custom_hooks[0]",
        java.util.Map.of("type", "EarlyStopHook", "patience", 0))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("custom_hooks[0].patience")
        .hasMessageContaining("patience must be >= 1; got 0");
    assertThatThrownBy(() -> new EarlyStopHook(2, -0.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("min_delta must be finite and >= 0; got -0.5");
  }

  @Test
  void anUnknownParameterOfTheHookIsNamed() {
    Config cfg = TestConfigs.small("atss_shapes.py").with("custom_hooks",
        List.of(Config.of("type", "EarlyStopHook", "patiense", 2)));
    Experiment exp = Experiment.of(cfg, 0);
    assertThatThrownBy(() -> new Trainer(exp, Path.of("unused"), "x.py", false, System.err))
        .isInstanceOf(ConfigException.class).hasMessageContaining("custom_hooks[0].patiense")
        .hasMessageContaining("unknown parameter 'patiense' for hook type 'EarlyStopHook'; accepted: patience");
  }
}
