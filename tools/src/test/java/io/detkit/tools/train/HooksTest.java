package io.detkit.tools.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.tools.TestConfigs;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's hook order and stages, and {@code custom_hooks} read from a config. */
class HooksTest {
  private static final List<String> EVENTS = new ArrayList<>();

  /**
   * A hook recording every stage it sees as {@code label:stage:epoch/iter} (a proxy: each of
   * {@link Hook}'s methods is a stage), checking what the runner offers at that stage.
   */
  private static Hook recording(String label) {
    return (Hook) Proxy.newProxyInstance(Hook.class.getClassLoader(), new Class<?>[] {Hook.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "equals" -> proxy == args[0];
          case "hashCode" -> System.identityHashCode(proxy);
          case "toString" -> "recording " + label;
          default -> {
            Runner r = (Runner) args[0];
            if (method.getName().equals("afterTrainIter")) {
              assertThat(r.outputs()).isNotNull();
            }
            if (method.getName().equals("afterValEpoch")) {
              assertThat(r.lastEvaluation().images()).isEqualTo(8);
            }
            EVENTS.add(label + ":" + method.getName() + ":" + r.epoch() + "/" + r.iter());
            yield null;
          }
        });
  }

  @BeforeAll
  static void register() {
    TrainFixtures.registerHookOnce("RecordingHook", c -> recording(c.getString("label", "")));
  }

  private static Config withHooks(Config cfg, Object hooks) {
    return cfg.with("custom_hooks", hooks);
  }

  private static ConfigException refused(Object customHooks) {
    Config cfg = withHooks(TestConfigs.small("atss_shapes.py"), customHooks);
    return (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> Hooks.fromConfig(cfg));
  }

  @Test
  void equalPrioritiesKeepTheirRegistrationOrderAndLowerValuesRunFirst() {
    EpochBasedRunner runner = new EpochBasedRunner(null, null, null, 1, 1, Path.of("unused"), 0);
    Hook a = recording("a");
    Hook b = recording("b");
    Hook c = recording("c");
    Hook d = recording("d");
    Hook e = recording("e");
    runner.register(a, Priority.NORMAL);
    runner.register(b, Priority.VERY_LOW);
    runner.register(c, 50);
    runner.register(d, Priority.HIGHEST);
    runner.register(e, Priority.LOWEST);
    assertThat(runner.hooks()).containsExactly(d, a, c, b, e);
    assertThatThrownBy(() -> runner.register(a, 101)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("between 0 and 100; got 101");
  }

  @Test
  void priorityNamesAndIntsAreReadAsMmcvDoes() {
    assertThat(Priority.parse("very_high", "p")).isEqualTo(10);
    assertThat(Priority.parse("ABOVE_NORMAL", "p")).isEqualTo(40);
    assertThat(Priority.parse(0, "p")).isEqualTo(0);
    assertThat(Priority.parse(100L, "p")).isEqualTo(100);
  }

  @Test
  void everyStageRunsInLoopOrderAndByPriorityWithEvaluationFramed(@TempDir Path dir) throws Exception {
    EVENTS.clear();
    // 8 images, batch 8: one iteration an epoch; two epochs, evaluated after each on 8 images.
    Config cfg = withHooks(TestConfigs.small("atss_shapes.py", "data.train.num_images=8", "data.val.num_images=8",
        "runner.max_epochs=2", "evaluation.interval=1"), List.of(
            Config.of("type", "RecordingHook", "label", "low", "priority", "LOW"),
            Config.of("type", "RecordingHook", "label", "high", "priority", 20)));
    TrainFixtures.trainer(cfg, dir).run();
    List<String> expected = new ArrayList<>();
    expected.add("high:beforeRun:0/0");
    expected.add("low:beforeRun:0/0");
    for (int epoch = 0; epoch < 2; epoch++) {
      String at = epoch + "/" + epoch;
      for (String stage : List.of("beforeTrainEpoch", "beforeTrainIter", "afterTrainIter")) {
        expected.add("high:" + stage + ":" + at);
        expected.add("low:" + stage + ":" + at);
      }
      String after = epoch + "/" + (epoch + 1);
      // The evaluation runs inside the EvalHook's afterTrainEpoch (LOW, registered before the custom hook).
      expected.add("high:afterTrainEpoch:" + after);
      expected.add("high:beforeValEpoch:" + after);
      expected.add("low:beforeValEpoch:" + after);
      expected.add("high:afterValEpoch:" + after);
      expected.add("low:afterValEpoch:" + after);
      expected.add("low:afterTrainEpoch:" + after);
    }
    expected.add("high:afterRun:2/2");
    expected.add("low:afterRun:2/2");
    assertThat(EVENTS).containsExactlyElementsOf(expected);
  }

  @Test
  void checkpointConfigNoneLeavesOutTheCheckpointHookSoACustomOneCanReplaceIt(@TempDir Path dir) throws Exception {
    EVENTS.clear();
    Config cfg = withHooks(TestConfigs.small("atss_shapes.py", "data.train.num_images=8", "runner.max_epochs=1"),
        List.of(Config.of("type", "RecordingHook", "label", "mine"))).with("checkpoint_config", null);
    TrainFixtures.trainer(cfg, dir).noValidate().run();
    assertThat(dir.resolve("latest.ckpt")).doesNotExist();
    assertThat(dir.resolve("metrics.json")).isNotEmptyFile();
    assertThat(EVENTS).contains("mine:afterTrainEpoch:0/1");
  }

  @Test
  void anUnknownTypeIsRefusedWithTheClosestRegisteredName() {
    assertThat(refused(List.of(Config.of("type", "RecordingHok"))))
        .hasMessageContaining("custom_hooks[0].type").hasMessageContaining("unknown hook type 'RecordingHok'")
        .hasMessageContaining("did you mean 'RecordingHook'?");
  }

  @Test
  void anUnknownParameterIsRefusedByName() {
    assertThat(refused(List.of(Config.of("type", "RecordingHook", "lable", "x"))))
        .hasMessageContaining("custom_hooks[0].lable")
        .hasMessageContaining("unknown parameter 'lable' for hook type 'RecordingHook'; accepted: label");
  }

  @Test
  void aBadPriorityIsRefusedWithTheAcceptedValues() {
    assertThat(refused(List.of(Config.of("type", "RecordingHook"), Config.of("type", "RecordingHook",
        "priority", "URGENT")))).hasMessageContaining("custom_hooks[1].priority")
        .hasMessageContaining("must be an int from 0 to 100 or one of [HIGHEST, VERY_HIGH")
        .hasMessageContaining("got 'URGENT'");
    assertThat(refused(List.of(Config.of("type", "RecordingHook", "priority", 101))))
        .hasMessageContaining("custom_hooks[0].priority: must be between 0 and 100; got 101");
    assertThat(refused(List.of(Config.of("type", "RecordingHook", "priority", 1.5))))
        .hasMessageContaining("custom_hooks[0].priority");
  }

  @Test
  void customHooksMustBeAListOfDicts() {
    assertThat(refused(Config.of("type", "RecordingHook"))).hasMessageContaining("custom_hooks: must be a list of dicts");
    assertThat(refused(List.of("RecordingHook"))).hasMessageContaining("custom_hooks[0]: must be a dict with a 'type'");
  }

  @Test
  void noCustomHooksGivesNone() {
    assertThat(Hooks.fromConfig(TestConfigs.small("atss_shapes.py"))).isEmpty();
    assertThat(Hooks.fromConfig(withHooks(TestConfigs.small("atss_shapes.py"), null))).isEmpty();
  }
}
