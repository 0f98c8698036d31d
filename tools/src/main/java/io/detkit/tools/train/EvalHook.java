package io.detkit.tools.train;

import io.detkit.tools.data.DataLoader;

/**
 * Evaluates on the validation split every {@code evaluation.interval} epochs and after the last
 * epoch, as MMDetection's {@code EvalHook} (priority {@link Priority#LOW}, so after the
 * checkpoint of the same epoch); the hooks' {@link Hook#afterValEpoch} then read
 * {@link Runner#lastEvaluation()}.
 */
public final class EvalHook implements Hook {
  /** Images of each evaluation kept with their detections for pictures. */
  public static final int KEEP_FOR_PICTURES = 16;

  private final DataLoader valLoader;
  private final int interval;

  /**
   * @param valLoader the validation split's loader (owned by the caller, which closes it)
   * @param interval {@code evaluation.interval} in epochs (> 0)
   */
  public EvalHook(DataLoader valLoader, int interval) {
    if (valLoader == null || interval <= 0) {
      throw new IllegalArgumentException("need a loader and an interval > 0; got " + valLoader + ", " + interval);
    }
    this.valLoader = valLoader;
    this.interval = interval;
  }

  @Override
  public void afterTrainEpoch(Runner runner) {
    if ((runner.epoch() + 1) % interval == 0 || runner.isLastEpoch()) {
      runner.evaluate(valLoader, KEEP_FOR_PICTURES);
    }
  }
}
