package io.detkit.tools.train;

import io.detkit.heads.BaseDenseHead;
import io.detkit.heads.HeadOutputs;
import io.detkit.tools.data.Batch;
import io.detkit.tools.data.DataLoader;
import io.detkit.tools.data.DetectionSample;
import io.detkit.tools.eval.DetectionEvaluator;
import io.detkit.tools.eval.Detections;
import io.detkit.tools.model.DetectorNet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Runs a network over a dataset and scores its detections with {@link DetectionEvaluator}
 * (COCO AP at 100 detections an image), in the original images' pixels: detections are rescaled
 * by each image's scale factor (MMDetection's {@code rescale=True}) and compared with the
 * dataset's own boxes.
 */
public final class Evaluation {
  /**
   * The metrics, the number of images evaluated and, for the first {@code keep} images, the
   * samples and their detections (in network-input pixels, for pictures).
   */
  public record Outcome(DetectionEvaluator.Result result, int images, List<DetectionSample> samples,
      List<Detections> shown, double seconds) {}

  private Evaluation() {}

  /** Evaluates {@code net} + {@code head} on every batch of {@code loader} (epoch 0 order). */
  public static Outcome run(DetectorNet net, BaseDenseHead head, DataLoader loader, int numClasses, int keep) {
    long t0 = System.nanoTime();
    List<Detections> preds = new ArrayList<>();
    List<Detections> gts = new ArrayList<>();
    List<DetectionSample> samples = new ArrayList<>();
    List<Detections> shown = new ArrayList<>();
    Iterator<Batch> it = loader.epoch(0);
    while (it.hasNext()) {
      Batch b = it.next();
      HeadOutputs out = net.forward(b.images());
      List<io.detkit.heads.Detections> dets = head.predict(out, b.metas(), null, true, true);
      for (int i = 0; i < b.size(); i++) {
        DetectionSample s = b.samples().get(i);
        Detections p = unflip(toEval(dets.get(i)), s);
        preds.add(p);
        gts.add(Detections.groundTruth(s.oriBoxes(), s.labels()));
        if (samples.size() < keep) {
          samples.add(s);
          shown.add(toInputPixels(p, s));
        }
      }
    }
    DetectionEvaluator.Result r = new DetectionEvaluator(numClasses, 100).evaluate(preds, gts);
    return new Outcome(r, preds.size(), samples, shown, (System.nanoTime() - t0) / 1e9);
  }

  static Detections toEval(io.detkit.heads.Detections d) {
    double[] b = d.boxData().toArray();
    double[] s = d.scoreData().toArray();
    float[] boxes = new float[b.length];
    float[] scores = new float[s.length];
    for (int i = 0; i < b.length; i++) {
      boxes[i] = (float) b[i];
    }
    for (int i = 0; i < s.length; i++) {
      scores[i] = (float) s[i];
    }
    return Detections.predictions(boxes, scores, d.labelData().toArray());
  }

  /** Detections of a flipped input mapped to the unflipped original image. */
  static Detections unflip(Detections d, DetectionSample s) {
    if (!s.flip()) {
      return d;
    }
    float[] b = d.boxes();
    int w = s.oriShape()[1];
    for (int i = 0; i < b.length; i += 4) {
      float x1 = b[i];
      b[i] = w - b[i + 2];
      b[i + 2] = w - x1;
    }
    return d.withBoxes(b);
  }

  /** Detections in original pixels mapped back to the sample's network-input pixels. */
  static Detections toInputPixels(Detections d, DetectionSample s) {
    float[] b = d.boxes();
    double[] f = s.scaleFactor();
    int w = s.imgShape()[1];
    for (int i = 0; i < b.length; i += 4) {
      float x1 = (float) (b[i] * f[0]);
      float x2 = (float) (b[i + 2] * f[2]);
      b[i] = s.flip() ? w - x2 : x1;
      b[i + 2] = s.flip() ? w - x1 : x2;
      b[i + 1] = (float) (b[i + 1] * f[1]);
      b[i + 3] = (float) (b[i + 3] * f[3]);
    }
    return d.withBoxes(b);
  }
}
