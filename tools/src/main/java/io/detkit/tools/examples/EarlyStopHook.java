package io.detkit.tools.examples;

import io.detkit.core.config.Config;
import io.detkit.core.config.ConfigException;
import io.detkit.tools.train.Hook;
import io.detkit.tools.train.Hooks;
import io.detkit.tools.train.Runner;

/**
 * An example of a user hook, written against the runner's public API only: it stops training when
 * the mean training loss of an epoch has not improved on the best so far by at least
 * {@code min_delta} for {@code patience} epochs in a row, and at once when an iteration's loss is
 * not finite.
 *
 * <p>From a config, once registered ({@link #register()}):
 * <pre>{@code
 * custom_hooks = [dict(type='EarlyStopHook', patience=3, min_delta=0.01, priority='HIGH')]
 * }</pre>
 * Give it a priority above the optimizer's ({@code ABOVE_NORMAL}, 40): it then sees a non-finite
 * loss before the optimizer, which skips that update instead of failing the run, and its stop at
 * the end of an epoch comes before the checkpoint hook ({@code NORMAL}), which then saves that
 * last epoch.
 */
public final class EarlyStopHook implements Hook {
  /** The type name {@link #register()} uses. */
  public static final String TYPE = "EarlyStopHook";

  private final int patience;
  private final double minDelta;
  private double best = Double.POSITIVE_INFINITY;
  private int epochsWithoutImprovement;

  /**
   * @param patience epochs without improvement before stopping (>= 1)
   * @param minDelta the least decrease of the epoch's mean loss that counts as an improvement (finite, >= 0)
   * @throws IllegalArgumentException for values out of range
   */
  public EarlyStopHook(int patience, double minDelta) {
    if (patience < 1) {
      throw new IllegalArgumentException("patience must be >= 1; got " + patience);
    }
    if (!(minDelta >= 0) || Double.isInfinite(minDelta)) {
      throw new IllegalArgumentException("min_delta must be finite and >= 0; got " + minDelta);
    }
    this.patience = patience;
    this.minDelta = minDelta;
  }

  /**
   * Builds the hook from its {@code custom_hooks} dict: {@code patience} (default 3) and
   * {@code min_delta} (default 0.0).
   *
   * @throws ConfigException naming the key for a value out of range
   */
  public static EarlyStopHook fromConfig(Config c) {
    int patience = c.getInt("patience", 3);
    double minDelta = c.getDouble("min_delta", 0.0);
    try {
      return new EarlyStopHook(patience, minDelta);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(c.pathOf(patience < 1 ? "patience" : "min_delta"), e.getMessage());
    }
  }

  /** Registers {@link #TYPE} in {@link Hooks#REGISTRY} unless it is there already. Thread-safe. */
  public static synchronized void register() {
    if (!Hooks.REGISTRY.contains(TYPE)) {
      Hooks.REGISTRY.register(TYPE, EarlyStopHook::fromConfig);
    }
  }

  @Override
  public void afterTrainIter(Runner runner) {
    double loss = runner.outputs().total();
    if (!Double.isFinite(loss)) {
      runner.requestStop("the loss became " + loss + " at iteration " + (runner.iter() + 1));
    }
  }

  @Override
  public void afterTrainEpoch(Runner runner) {
    double mean = runner.epochMeanLoss();
    if (!Double.isFinite(mean)) {
      return;
    }
    if (mean < best - minDelta) {
      best = mean;
      epochsWithoutImprovement = 0;
    } else if (++epochsWithoutImprovement >= patience) {
      runner.requestStop(String.format("the mean loss has not improved on %.4f by %s for %d epochs", best,
          minDelta, patience));
    }
  }
}
