package io.detkit.tools.train;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Sets each iteration's learning rate from {@code lr_config} ({@link LrSchedule}) before the
 * iteration, as mmcv's {@code LrUpdaterHook} (priority {@link Priority#VERY_HIGH}): the schedule
 * is evaluated here, once per iteration, and {@link Runner#setCurrentLr} publishes the rate.
 * {@link OptimizerHook} steps the network at {@link Runner#currentLr()}, so a hook that runs
 * between the two (a {@code custom_hooks} entry with a priority between VERY_HIGH and
 * ABOVE_NORMAL) and sets another rate changes the update, and the loggers report the rate used.
 */
public final class LrUpdaterHook implements Hook {
  private final LrSchedule schedule;

  public LrUpdaterHook(LrSchedule schedule) {
    checkArgument(schedule != null, "schedule must not be null");
    this.schedule = schedule;
  }

  @Override
  public void beforeTrainIter(Runner runner) {
    runner.setCurrentLr(schedule.valueAt(runner.iter(), runner.epoch()));
  }
}
