package io.detkit.tools.train;

import io.detkit.heads.HeadLoss;

/**
 * The update after each iteration's loss, mmcv's {@code OptimizerHook} (priority
 * {@link Priority#ABOVE_NORMAL}): the backward pass of the loss gradients through the network and
 * the optimizer step ({@code DetectorNet.step} clips the gradient norm by
 * {@code optimizer_config.grad_clip} and applies the updater) at {@link Runner#currentLr()}, the
 * rate that {@link LrUpdaterHook} and any hook after it published for the iteration. A batch
 * without losses (no image had a target) takes no step.
 *
 * <p>A non-finite total loss fails the run with advice, unless a hook that runs before this one
 * has {@linkplain Runner#requestStop asked to stop}: then the update is skipped and the
 * parameters stay those of the last finite iteration.
 */
public final class OptimizerHook implements Hook {
  @Override
  public void afterTrainIter(Runner runner) {
    HeadLoss loss = runner.outputs();
    double total = loss.total();
    if (!Double.isFinite(total)) {
      if (runner.stopReason() != null) {
        return;
      }
      throw new IllegalStateException("the loss became " + total + " at iteration " + (runner.iter() + 1)
          + "; lower optimizer.lr or add optimizer_config=dict(grad_clip=dict(max_norm=35))");
    }
    if (loss.hasLosses()) {
      double lr = runner.currentLr();
      if (!(lr >= 0) || Double.isInfinite(lr)) {
        throw new IllegalStateException("the learning rate of iteration " + (runner.iter() + 1) + " is " + lr
            + "; a hook before the optimizer (LrUpdaterHook, or one replacing it) must publish a finite rate >= 0"
            + " with runner.setCurrentLr");
      }
      double norm = runner.net().backward(loss.grads());
      runner.net().step(norm, runner.iter(), runner.epoch(), lr);
    }
  }
}
