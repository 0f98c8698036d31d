package io.detkit.tools.cli;

import io.detkit.core.config.Config;
import io.detkit.tools.train.Experiment;
import io.detkit.tools.train.Trainer;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code detkit train CONFIG}: trains, evaluates every epoch and writes the work directory. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a detector from a config; evaluate on the validation split every evaluation.interval epochs.")
final class TrainCommand extends ConfigCommand {
  @Mixin
  WorkDirOption workDir;

  @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: the config's seed, else 0).")
  Long seed;

  @Option(names = "--no-progress", description = "Log every log_config.interval iterations instead of a progress bar.")
  boolean noProgress;

  @Option(names = "--no-validate", description = "Do not evaluate on the validation split during training.")
  boolean noValidate;

  @Option(names = "--max-iters", paramLabel = "N", hidden = true, description = "Stop after N iterations.")
  Integer maxIters;

  @Override
  public Integer call() throws Exception {
    Config config = cfg.load();
    long s = seed != null ? seed : Experiment.configSeed(config);
    if (seed != null) {
      config = config.with("seed", s);
    }
    Experiment exp = Experiment.of(config, s);
    Path dir = workDir.resolve(cfg, config);
    // The bar draws on the process's standard output: System.console() (the trainer's terminal test)
    // speaks of stdin and stdout, so `detkit train ... 2> log` keeps the bar's frames out of the log.
    Trainer trainer = new Trainer(exp, dir, cfg.pyName(), !noProgress, System.out);
    if (maxIters != null) {
      trainer.maxIterations(maxIters);
    }
    if (noValidate) {
      trainer.noValidate();
    }
    Trainer.Result r = trainer.run();
    out().printf("work dir: %s%n", dir);
    out().printf("trained %d iterations in %.1f s (%.1f s in all)%n", r.iterations(), r.trainSeconds(),
        r.totalSeconds());
    if (r.metrics() != null) {
      printMetrics(r.metrics());
    }
    out().flush();
    return 0;
  }
}
