package io.detkit.tools.train;

import io.detkit.core.config.ConfigWriter;
import io.detkit.heads.BaseDenseHead;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.Datasets;
import io.detkit.tools.eval.DetectionEvaluator;
import io.detkit.tools.model.DetectorNet;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code detkit train}: builds the network, the data loaders and an {@link EpochBasedRunner} with
 * the hooks the config asks for, and runs it. Built-in hooks, in mmcv's priorities:
 *
 * <table>
 *   <caption>hooks of a run</caption>
 *   <tr><th>hook</th><th>priority</th><th>config</th><th>does</th></tr>
 *   <tr><td>{@link LrUpdaterHook}</td><td>VERY_HIGH</td><td>{@code lr_config}</td><td>the iteration's rate</td></tr>
 *   <tr><td>{@link OptimizerHook}</td><td>ABOVE_NORMAL</td><td>{@code optimizer_config}</td>
 *       <td>backward pass, gradient clipping, step</td></tr>
 *   <tr><td>{@link CheckpointHook}</td><td>NORMAL</td><td>{@code checkpoint_config.interval}</td>
 *       <td>{@code epoch_N.ckpt}, {@code latest.ckpt}</td></tr>
 *   <tr><td>{@link EvalHook}</td><td>LOW</td><td>{@code evaluation.interval}</td><td>COCO AP on {@code data.val}</td></tr>
 *   <tr><td>{@link ValPicturesHook}</td><td>LOW</td><td>-</td><td>{@code val_predictions.png}</td></tr>
 *   <tr><td>{@link MetricsHook}</td><td>VERY_LOW</td><td>-</td><td>{@code metrics.json}, {@code loss_curve.png}</td></tr>
 *   <tr><td>{@link ProgressBarHook}</td><td>VERY_LOW</td><td>-</td><td>a bar per epoch on a terminal</td></tr>
 *   <tr><td>{@link TextLoggerHook}</td><td>VERY_LOW</td><td>{@code log_config.interval}</td><td>log lines</td></tr>
 * </table>
 *
 * then the config's {@code custom_hooks} ({@link Hooks}). As in mmcv, {@code checkpoint_config=None}
 * leaves out the checkpoint hook and {@code log_config=None} the progress bar and the log lines
 * (a custom hook can take their place); evaluation and pictures are left out with
 * {@link #noValidate()}. The merged config is written to the work directory first. A trainer
 * runs once; single-threaded caller.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** What a run produced: the last evaluation's metrics (null without one) and the total loss of each iteration. */
  public record Result(DetectionEvaluator.Result metrics, double trainSeconds, double totalSeconds,
      List<Double> losses, int iterations) {
    /** Mean total loss of the first and last {@code k} iterations. */
    public double[] firstAndLastMean(int k) {
      int n = losses.size();
      int m = Math.min(k, n);
      double first = 0;
      double last = 0;
      for (int i = 0; i < m; i++) {
        first += losses.get(i);
        last += losses.get(n - 1 - i);
      }
      return new double[] {first / m, last / m};
    }
  }

  private final Experiment exp;
  private final Path workDir;
  private final String configName;
  private final boolean progressBar;
  private final PrintStream console;
  private final List<Hooks.Custom> customHooks;
  private int maxIterations = Integer.MAX_VALUE;
  private boolean validate = true;
  private boolean ran;

  /**
   * Builds the config's {@code custom_hooks} now, so that their errors come before any training.
   *
   * @param configName the config file's name (the merged config is written under it)
   * @param progressBar whether to draw a progress bar on {@code console}; only honoured when the
   *     JVM has a terminal ({@code System.console() != null}): redirected to a file or a pipe, a
   *     bar's carriage-return frames would fill the log, so a plain line is logged every
   *     {@code log_config.interval} iterations instead, as with {@code progressBar=false}
   * @param console where the bar draws; pass {@code System.out}, the stream that
   *     {@code System.console()} tests (with stdin), so that a redirected stdout never gets frames
   * @throws io.detkit.core.config.ConfigException for a bad {@code custom_hooks} entry
   */
  public Trainer(Experiment exp, Path workDir, String configName, boolean progressBar, PrintStream console) {
    this.exp = exp;
    this.workDir = workDir;
    this.configName = configName;
    this.progressBar = progressBar && System.console() != null;
    this.console = console;
    this.customHooks = Hooks.fromConfig(exp.config());
  }

  /** Stops after {@code n} iterations in all (the command line's {@code --max-iters}, for quick checks). */
  public Trainer maxIterations(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("maxIterations must be > 0; got " + n);
    }
    this.maxIterations = n;
    return this;
  }

  /**
   * Trains without evaluation (MMDetection's {@code --no-validate}): no {@link EvalHook} nor
   * {@link ValPicturesHook}, {@code data.val} is not read, and the result has no metrics.
   */
  public Trainer noValidate() {
    this.validate = false;
    return this;
  }

  /**
   * Trains.
   *
   * @throws IOException if the work directory cannot be written
   * @throws io.detkit.core.config.ConfigException for config errors found while building
   * @throws io.detkit.tools.data.DataException for unreadable data
   * @throws IllegalStateException on a second call, or if the loss becomes non-finite
   */
  public Result run() throws IOException {
    if (ran) {
      throw new IllegalStateException("a Trainer runs once");
    }
    ran = true;
    long start = System.nanoTime();
    BaseDenseHead head = exp.head();
    Datasets.Built train = exp.dataset("train");
    Datasets.Built val = validate ? exp.dataset("val") : null;
    if (val != null && !val.dataset().classes().equals(train.dataset().classes())) {
      throw new IllegalArgumentException("data.val classes " + val.dataset().classes() + " differ from data.train's "
          + train.dataset().classes());
    }
    if (train.dataset().classes().size() != head.numClasses()) {
      throw new IllegalArgumentException("model.bbox_head.num_classes is " + head.numClasses() + " but the training"
          + " data has " + train.dataset().classes().size() + " classes " + train.dataset().classes());
    }
    if (train.dataset().size() == 0) {
      throw new IllegalArgumentException("data.train is empty");
    }
    DetectorNet net = exp.buildNet();
    LrSchedule schedule = exp.schedule();
    String configText = ConfigWriter.toPython(exp.config());
    Files.createDirectories(workDir);
    Files.writeString(workDir.resolve(configName), configText);
    LOG.info("model: {}; train images: {}, val images: {}, batch {}, {} epochs", net.summary(),
        train.dataset().size(), val == null ? 0 : val.dataset().size(), exp.batchSize(), exp.maxEpochs());
    try (DataLoader loader = new DataLoader(train.dataset(), train.pipeline(), exp.batchSize(), true, exp.seed(),
        net.geometry().sizeDivisor());
        DataLoader valLoader = val == null ? null : new DataLoader(val.dataset(), val.pipeline(), exp.batchSize(),
            false, exp.seed(), net.geometry().sizeDivisor())) {
      EpochBasedRunner runner = new EpochBasedRunner(net, head, loader, exp.maxEpochs(), maxIterations, workDir,
          start);
      MetricsHook metrics = new MetricsHook(configName, exp.seed());
      runner.register(new LrUpdaterHook(schedule), Priority.VERY_HIGH);
      runner.register(new OptimizerHook(), Priority.ABOVE_NORMAL);
      if (exp.wantsHook("checkpoint_config")) {
        runner.register(new CheckpointHook(exp.checkpointInterval(), configText, configName), Priority.NORMAL);
      }
      if (valLoader != null) {
        runner.register(new EvalHook(valLoader, exp.evalInterval()), Priority.LOW);
        runner.register(new ValPicturesHook(train.dataset().classes()), Priority.LOW);
      }
      runner.register(metrics, Priority.VERY_LOW);
      if (exp.wantsHook("log_config")) {
        if (progressBar) {
          runner.register(new ProgressBarHook(console), Priority.VERY_LOW);
        }
        runner.register(new TextLoggerHook(exp.logInterval(), !progressBar), Priority.VERY_LOW);
      }
      for (Hooks.Custom c : customHooks) {
        runner.register(c.hook(), c.priority());
      }
      try {
        runner.run();
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      Evaluation.Outcome last = runner.lastEvaluation();
      return new Result(last == null ? null : last.result(), runner.trainSeconds(), runner.totalSeconds(),
          metrics.losses(), runner.iter());
    }
  }
}
