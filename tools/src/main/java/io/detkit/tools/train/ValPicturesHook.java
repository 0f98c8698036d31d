package io.detkit.tools.train;

import io.detkit.tools.data.DetectionSample;
import io.detkit.tools.eval.Detections;
import io.detkit.tools.viz.Pictures;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * After each evaluation, draws the first validation images with their ground truth and the
 * detections scoring at least 0.3 into {@code val_predictions.png} in the work directory (a grid
 * four wide, scaled up to about 192 pixels an image). Priority {@link Priority#LOW}.
 */
public final class ValPicturesHook implements Hook {
  private static final double SCORE_THR = 0.3;
  private static final int COLUMNS = 4;
  private static final int TARGET_WIDTH = 192;

  private final List<String> classes;

  /** @param classes the class names, indexed by label */
  public ValPicturesHook(List<String> classes) {
    this.classes = List.copyOf(classes);
  }

  @Override
  public void afterValEpoch(Runner runner) {
    Evaluation.Outcome o = runner.lastEvaluation();
    List<BufferedImage> images = new ArrayList<>();
    List<Detections> gts = new ArrayList<>();
    for (DetectionSample s : o.samples()) {
      images.add(s.preview());
      gts.add(Detections.groundTruth(s.boxes(), s.labels()));
    }
    int zoom = Math.max(1, TARGET_WIDTH / Math.max(1, images.isEmpty() ? 1 : images.get(0).getWidth()));
    try {
      Pictures.writePng(Pictures.grid(images, gts, o.shown(), classes, SCORE_THR, COLUMNS, zoom),
          runner.workDir().resolve("val_predictions.png"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
