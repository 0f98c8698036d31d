package io.detkit.tools.train;

import io.detkit.core.config.Config;
import java.nio.file.Path;
import java.util.function.Function;

/** Shared fixtures of the training tests: a quiet trainer of a config, and test hook types. */
final class TrainFixtures {
  private TrainFixtures() {}

  /** A trainer of {@code cfg} (seed 0, no progress bar) writing to {@code dir} under the name {@code atss_shapes.py}. */
  static Trainer trainer(Config cfg, Path dir) {
    return new Trainer(Experiment.of(cfg, 0), dir, "atss_shapes.py", false, System.err);
  }

  /**
   * Registers a test hook type in {@link Hooks#REGISTRY} unless a test class in the same JVM already
   * did (the registry is global and refuses a second registration of a name).
   */
  static void registerHookOnce(String type, Function<Config, ? extends Hook> factory) {
    synchronized (Hooks.REGISTRY) {
      if (!Hooks.REGISTRY.contains(type)) {
        Hooks.REGISTRY.register(type, factory);
      }
    }
  }
}
