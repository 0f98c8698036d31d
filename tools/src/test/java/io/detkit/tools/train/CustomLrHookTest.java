package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.detkit.core.config.Config;
import io.detkit.tools.TestConfigs;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's current learning rate is the one the optimizer step uses: a {@code custom_hooks}
 * entry that rescales the rate {@link LrUpdaterHook} published rescales the parameters' update.
 */
class CustomLrHookTest {
  /** Multiplies the published rate by {@code factor} (runs between LrUpdaterHook and OptimizerHook). */
  private record ScaleLr(double factor) implements Hook {
    @Override
    public void beforeTrainIter(Runner runner) {
      runner.setCurrentLr(runner.currentLr() * factor);
    }
  }

  @BeforeAll
  static void register() {
    TrainFixtures.registerHookOnce("ScaleLrHook", c -> new ScaleLr(c.getDouble("factor")));
  }

  /** One ATSS iteration (AdamW at the full rate: no warm-up, whose tiny first rate float32 would round) with the rate scaled by {@code factor}: the final parameters and the logged rate. */
  private static Trained trainOneIteration(Path dir, double factor) throws Exception {
    Config cfg = TestConfigs.small("atss_shapes.py", "data.train.num_images=8", "runner.max_epochs=1",
        "checkpoint_config.interval=1", "lr_config.warmup=None").with("custom_hooks", List.of(
            Config.of("type", "ScaleLrHook", "factor", factor, "priority", "HIGH")));
    TrainFixtures.trainer(cfg, dir).noValidate().run();
    JsonNode iteration = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile()).get("iterations").get(0);
    return new Trained(Checkpoint.read(dir.resolve("latest.ckpt")).params(), iteration.get("lr").asDouble());
  }

  private record Trained(float[] params, double lr) {}

  @Test
  void aCustomHookThatScalesTheRateScalesTheUpdate(@TempDir Path dir) throws Exception {
    // A zero rate leaves the initial parameters (AdamW's update and its decoupled decay are both lr times a term
    // that does not depend on lr); on the first step the update is linear in the rate.
    Trained initial = trainOneIteration(dir.resolve("zero"), 0);
    Trained full = trainOneIteration(dir.resolve("full"), 1);
    Trained half = trainOneIteration(dir.resolve("half"), 0.5);

    assertThat(half.lr()).isEqualTo(full.lr() * 0.5);
    assertThat(initial.lr()).isZero();
    double fullSq = 0;
    double diffSq = 0;
    for (int i = 0; i < full.params().length; i++) {
      double dFull = (double) full.params()[i] - initial.params()[i];
      double dHalf = (double) half.params()[i] - initial.params()[i];
      fullSq += dFull * dFull;
      diffSq += (dHalf - 0.5 * dFull) * (dHalf - 0.5 * dFull);
    }
    assertThat(fullSq).as("the full-rate step moves the parameters").isPositive();
    // Float32 parameters round each difference; a hook the optimizer ignored would give a relative error of 1.
    assertThat(Math.sqrt(diffSq / fullSq)).isCloseTo(0, within(1e-3));
  }
}
