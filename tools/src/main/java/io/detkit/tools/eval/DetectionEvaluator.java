package io.detkit.tools.eval;

import static com.google.common.base.Preconditions.checkArgument;

import io.detkit.core.order.Argsort;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Average precision of detections against ground truth over a set of images.
 *
 * <ul>
 *   <li>COCO-style: for each class and each IoU threshold 0.50, 0.55, ..., 0.95, detections
 *       (at most {@code maxDets} per image, highest scores first) are matched greedily in score
 *       order to the unmatched ground truth of highest IoU; precision is made monotone and sampled
 *       at 101 recall points; AP is the mean over thresholds and over classes that have ground
 *       truth. AP50 is the same at IoU 0.5 alone. (No crowd regions or area ranges.)
 *   <li>VOC-style mAP: IoU 0.5, area under the monotone precision-recall curve (VOC2010+).
 * </ul>
 * Box areas use {@code (x2-x1)*(y2-y1)}, as COCO does.
 */
public final class DetectionEvaluator {
  private static final double[] COCO_THRESHOLDS = new double[10];

  static {
    for (int i = 0; i < 10; i++) {
      COCO_THRESHOLDS[i] = 0.5 + 0.05 * i;
    }
  }

  private final int numClasses;
  private final int maxDets;

  /**
   * @param numClasses labels are in {@code [0, numClasses)}
   * @param maxDets detections kept per image, highest scores first (COCO uses 100)
   */
  public DetectionEvaluator(int numClasses, int maxDets) {
    checkArgument(numClasses > 0, "numClasses must be > 0; got %s", numClasses);
    checkArgument(maxDets > 0, "maxDets must be > 0; got %s", maxDets);
    this.numClasses = numClasses;
    this.maxDets = maxDets;
  }

  /** The metrics of one evaluation. NaN where no class has ground truth. */
  public record Result(double cocoAp, double ap50, double ap75, double vocMap, double[] apPerClass) {
    @Override
    public String toString() {
      return String.format("AP=%.4f AP50=%.4f AP75=%.4f VOC mAP=%.4f", cocoAp, ap50, ap75, vocMap);
    }
  }

  /**
   * Evaluates {@code predictions[i]} against {@code groundTruths[i]}.
   *
   * @throws IllegalArgumentException if the lists differ in length or a label is out of range
   */
  public Result evaluate(List<Detections> predictions, List<Detections> groundTruths) {
    if (predictions.size() != groundTruths.size()) {
      throw new IllegalArgumentException("predictions and groundTruths must have one entry per image; got "
          + predictions.size() + " and " + groundTruths.size());
    }
    List<Detections> preds = new ArrayList<>();
    for (Detections d : predictions) {
      preds.add(topK(d));
    }
    checkLabels(preds, "predictions");
    checkLabels(groundTruths, "groundTruths");
    double[][] ap = new double[numClasses][COCO_THRESHOLDS.length];
    double[] voc = new double[numClasses];
    double[] perClass = new double[numClasses];
    int classesWithGt = 0;
    double cocoSum = 0;
    double ap50Sum = 0;
    double ap75Sum = 0;
    double vocSum = 0;
    for (int c = 0; c < numClasses; c++) {
      int npos = 0;
      for (Detections g : groundTruths) {
        for (int i = 0; i < g.size(); i++) {
          npos += g.label(i) == c ? 1 : 0;
        }
      }
      if (npos == 0) {
        perClass[c] = Double.NaN;
        continue;
      }
      classesWithGt++;
      double mean = 0;
      for (int t = 0; t < COCO_THRESHOLDS.length; t++) {
        boolean[] tp = matchClass(preds, groundTruths, c, COCO_THRESHOLDS[t]);
        ap[c][t] = coco101(tp, npos);
        mean += ap[c][t];
        if (t == 0) {
          voc[c] = vocArea(tp, npos);
        }
      }
      perClass[c] = mean / COCO_THRESHOLDS.length;
      cocoSum += perClass[c];
      ap50Sum += ap[c][0];
      ap75Sum += ap[c][5];
      vocSum += voc[c];
    }
    if (classesWithGt == 0) {
      return new Result(Double.NaN, Double.NaN, Double.NaN, Double.NaN, perClass);
    }
    return new Result(cocoSum / classesWithGt, ap50Sum / classesWithGt, ap75Sum / classesWithGt,
        vocSum / classesWithGt, perClass);
  }

  private void checkLabels(List<Detections> list, String name) {
    for (int img = 0; img < list.size(); img++) {
      Detections d = list.get(img);
      for (int i = 0; i < d.size(); i++) {
        if (d.label(i) < 0 || d.label(i) >= numClasses) {
          throw new IllegalArgumentException(name + "[" + img + "] label " + i + " must be in [0, " + numClasses
              + "); got " + d.label(i));
        }
      }
    }
  }

  private Detections topK(Detections d) {
    if (d.size() <= maxDets) {
      return d;
    }
    // Highest score first, equal scores by input order, so results are deterministic.
    int[] order = Argsort.descending(scoresOf(d));
    float[] boxes = new float[4 * maxDets];
    float[] scores = new float[maxDets];
    int[] labels = new int[maxDets];
    for (int k = 0; k < maxDets; k++) {
      int i = order[k];
      for (int j = 0; j < 4; j++) {
        boxes[4 * k + j] = d.box(i, j);
      }
      scores[k] = d.score(i);
      labels[k] = d.label(i);
    }
    return Detections.predictions(boxes, scores, labels);
  }

  private static double[] scoresOf(Detections d) {
    double[] scores = new double[d.size()];
    for (int i = 0; i < scores.length; i++) {
      scores[i] = d.score(i);
    }
    return scores;
  }

  /** Per detection of class {@code c} across all images in descending score order: matched or not. */
  private static boolean[] matchClass(List<Detections> preds, List<Detections> gts, int c, double thr) {
    record Det(int img, int idx, float score) {}
    List<Det> dets = new ArrayList<>();
    for (int img = 0; img < preds.size(); img++) {
      Detections p = preds.get(img);
      for (int i = 0; i < p.size(); i++) {
        if (p.label(i) == c) {
          dets.add(new Det(img, i, p.score(i)));
        }
      }
    }
    // COCO sorts per image then merges with a stable mergesort on score; a stable global sort of
    // (image, index) order by descending score is the same.
    dets.sort(Comparator.comparingDouble((Det d) -> -d.score()));
    boolean[][] used = new boolean[gts.size()][];
    for (int img = 0; img < gts.size(); img++) {
      used[img] = new boolean[gts.get(img).size()];
    }
    boolean[] tp = new boolean[dets.size()];
    for (int k = 0; k < dets.size(); k++) {
      Det d = dets.get(k);
      Detections p = preds.get(d.img());
      Detections g = gts.get(d.img());
      double best = Math.min(thr, 1 - 1e-10);
      int match = -1;
      for (int j = 0; j < g.size(); j++) {
        if (g.label(j) != c || used[d.img()][j]) {
          continue;
        }
        double iou = iou(p, d.idx(), g, j);
        if (iou >= best) {
          best = iou;
          match = j;
        }
      }
      if (match >= 0) {
        used[d.img()][match] = true;
        tp[k] = true;
      }
    }
    return tp;
  }

  static double iou(Detections a, int i, Detections b, int j) {
    double ax1 = a.box(i, 0);
    double ay1 = a.box(i, 1);
    double ax2 = a.box(i, 2);
    double ay2 = a.box(i, 3);
    double bx1 = b.box(j, 0);
    double by1 = b.box(j, 1);
    double bx2 = b.box(j, 2);
    double by2 = b.box(j, 3);
    double w = Math.max(0, Math.min(ax2, bx2) - Math.max(ax1, bx1));
    double h = Math.max(0, Math.min(ay2, by2) - Math.max(ay1, by1));
    double inter = w * h;
    double union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
    return union <= 0 ? 0 : inter / union;
  }

  /** Recall and precision after each detection in score order. */
  private record Curve(double[] recall, double[] precision) {}

  /** Precision at the first index whose recall reaches each point, after the monotone envelope. */
  private static Curve curve(boolean[] tp, int npos) {
    int n = tp.length;
    double[] recall = new double[n];
    double[] precision = new double[n];
    int tps = 0;
    for (int k = 0; k < n; k++) {
      tps += tp[k] ? 1 : 0;
      recall[k] = (double) tps / npos;
      precision[k] = (double) tps / (k + 1);
    }
    for (int k = n - 2; k >= 0; k--) {
      precision[k] = Math.max(precision[k], precision[k + 1]);
    }
    return new Curve(recall, precision);
  }

  static double coco101(boolean[] tp, int npos) {
    Curve curve = curve(tp, npos);
    double[] recall = curve.recall();
    double sum = 0;
    int k = 0;
    for (int r = 0; r <= 100; r++) {
      // numpy.linspace(0, 1, 101) as pycocotools uses it: r * 0.01, with the last point exactly 1.
      double point = r == 100 ? 1.0 : r * 0.01;
      while (k < recall.length && recall[k] < point) {
        k++;
      }
      sum += k < recall.length ? curve.precision()[k] : 0;
    }
    return sum / 101;
  }

  static double vocArea(boolean[] tp, int npos) {
    Curve curve = curve(tp, npos);
    double area = 0;
    double prevRecall = 0;
    for (int k = 0; k < tp.length; k++) {
      area += (curve.recall()[k] - prevRecall) * curve.precision()[k];
      prevRecall = curve.recall()[k];
    }
    return area;
  }
}
