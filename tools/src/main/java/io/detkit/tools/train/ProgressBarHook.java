package io.detkit.tools.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar per epoch on a terminal, with the latest loss (priority
 * {@link Priority#VERY_LOW}, with the loggers). {@link Trainer} registers it only when the JVM has
 * a terminal: redirected to a file, a bar's carriage-return frames would fill the log, and
 * {@link TextLoggerHook} prints plain lines instead.
 */
public final class ProgressBarHook implements Hook {
  private final PrintStream console;
  private ProgressBar bar;

  public ProgressBarHook(PrintStream console) {
    checkArgument(console != null, "console must not be null");
    this.console = console;
  }

  @Override
  public void beforeTrainEpoch(Runner runner) {
    bar = new ProgressBarBuilder()
        .setTaskName("epoch " + (runner.epoch() + 1) + "/" + runner.maxEpochs())
        .setInitialMax(runner.itersThisEpoch())
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(500)
        .setConsumer(new ConsoleProgressBarConsumer(console))
        .build();
  }

  @Override
  public void afterTrainIter(Runner runner) {
    bar.step();
    bar.setExtraMessage(String.format(" loss %.4f", runner.outputs().total()));
  }

  @Override
  public void afterTrainEpoch(Runner runner) {
    bar.close();
    bar = null;
  }
}
