package io.detkit.tools.train;

/**
 * Publishes each iteration's learning rate from {@code lr_config} ({@link LrSchedule}) before the
 * iteration, as mmcv's {@code LrUpdaterHook} (priority {@link Priority#VERY_HIGH}), so that the
 * hooks after it (logging, metrics) read {@link Runner#currentLr()}.
 *
 * <p>Unlike mmcv's hook it does not write the rate into the optimizer: the network's DL4J updater
 * holds the same schedule and evaluates it at the iteration and epoch that {@link OptimizerHook}
 * hands to {@code DetectorNet.step}, so both always agree.
 */
public final class LrUpdaterHook implements Hook {
  private final LrSchedule schedule;

  public LrUpdaterHook(LrSchedule schedule) {
    if (schedule == null) {
      throw new IllegalArgumentException("schedule must not be null");
    }
    this.schedule = schedule;
  }

  @Override
  public void beforeTrainIter(Runner runner) {
    runner.setCurrentLr(schedule.valueAt(runner.iter(), runner.epoch()));
  }
}
