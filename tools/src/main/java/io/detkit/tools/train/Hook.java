package io.detkit.tools.train;

/**
 * A step of training that runs at fixed points of {@link EpochBasedRunner}'s loop, mmcv 1.x's
 * {@code Hook}: every method does nothing by default, so a hook overrides the stages it needs.
 *
 * <p>The runner calls, in this order: {@link #beforeRun}; per epoch {@link #beforeTrainEpoch},
 * per iteration {@link #beforeTrainIter}, the forward pass and the head's loss (then
 * {@link Runner#outputs()} holds it), {@link #afterTrainIter}; then
 * {@link #afterTrainEpoch}; finally {@link #afterRun}. An evaluation (started by
 * {@link EvalHook} through {@link Runner#evaluate}) is framed by {@link #beforeValEpoch}
 * and {@link #afterValEpoch}. At each stage the hooks run by ascending {@link Priority}, ties in
 * registration order.
 *
 * <p>All calls come from the thread that runs the training, one at a time. A hook may keep
 * state between calls; an instance belongs to one run. An exception thrown by a hook ends the run
 * (checked I/O errors are wrapped in {@link java.io.UncheckedIOException}, which
 * {@link Trainer#run()} unwraps).
 */
public interface Hook {
  /** Once, before the first epoch. */
  default void beforeRun(Runner runner) {}

  /** Once, after the last epoch (not after a failure). */
  default void afterRun(Runner runner) {}

  /** Before an epoch's first iteration; {@link Runner#epoch()} is its 0-based index. */
  default void beforeTrainEpoch(Runner runner) {}

  /** After an epoch's last iteration. */
  default void afterTrainEpoch(Runner runner) {}

  /** Before an iteration's data and forward pass; {@link Runner#iter()} is its 0-based index. */
  default void beforeTrainIter(Runner runner) {}

  /** After an iteration's loss: {@link Runner#outputs()} is this iteration's. */
  default void afterTrainIter(Runner runner) {}

  /** Before an evaluation on the validation split. */
  default void beforeValEpoch(Runner runner) {}

  /** After an evaluation: {@link Runner#lastEvaluation()} is its outcome. */
  default void afterValEpoch(Runner runner) {}
}
