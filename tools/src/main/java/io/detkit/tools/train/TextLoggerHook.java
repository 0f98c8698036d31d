package io.detkit.tools.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training log, after mmcv's {@code TextLoggerHook} (priority {@link Priority#VERY_LOW}):
 * a line every {@code log_config.interval} iterations (epoch, iteration in the epoch, learning
 * rate, total loss) unless a progress bar shows them, a line per epoch (its time and mean loss)
 * and a line per evaluation (COCO AP, AP50, AP75, VOC mAP).
 */
public final class TextLoggerHook implements Hook {
  private static final Logger LOG = LoggerFactory.getLogger(TextLoggerHook.class);

  private final int interval;
  private final boolean iterationLines;

  /**
   * @param interval {@code log_config.interval} (> 0)
   * @param iterationLines whether to log iteration lines (false when a progress bar shows them)
   */
  public TextLoggerHook(int interval, boolean iterationLines) {
    if (interval <= 0) {
      throw new IllegalArgumentException("log interval must be > 0; got " + interval);
    }
    this.interval = interval;
    this.iterationLines = iterationLines;
  }

  @Override
  public void afterTrainIter(Runner runner) {
    if (iterationLines && (runner.iter() + 1) % interval == 0) {
      LOG.info("epoch {} iter {}/{} lr {} loss {}", runner.epoch() + 1, runner.innerIter() + 1,
          runner.itersThisEpoch(), String.format("%.2e", runner.currentLr()),
          String.format("%.4f", runner.outputs().total()));
    }
  }

  @Override
  public void afterTrainEpoch(Runner runner) {
    LOG.info("epoch {} done in {} s, mean loss {}", runner.epoch() + 1, String.format("%.1f", runner.epochSeconds()),
        String.format("%.4f", runner.epochMeanLoss()));
  }

  @Override
  public void afterValEpoch(Runner runner) {
    Evaluation.Outcome o = runner.lastEvaluation();
    LOG.info("epoch {} val: {} ({} images, {} s)", runner.epoch() + 1, o.result(), o.images(),
        String.format("%.1f", o.seconds()));
  }

  @Override
  public void afterRun(Runner runner) {
    if (runner.stopReason() != null) {
      LOG.info("stopped after {} iterations: {}", runner.iter(), runner.stopReason());
    }
  }
}
