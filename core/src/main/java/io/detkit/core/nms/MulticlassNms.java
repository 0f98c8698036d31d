package io.detkit.core.nms;

import static io.detkit.core.precision.Precision.round;

import io.detkit.core.check.Args;
import io.detkit.core.tensor.Tensors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MMDetection's {@code multiclass_nms} behind {@link Nms#multiclassNms}: checks the shapes and
 * values, flattens the (prior, class) pairs above {@code score_thr} in prior-major order (scores
 * multiplied by the score factors), runs class-aware NMS over them and maps the kept pairs back to
 * labels and flat indices.
 */
final class MulticlassNms {
  private MulticlassNms() {}

  /** See {@link Nms#multiclassNms(INDArray, INDArray, double, NmsConfig, int, INDArray)}. */
  static MulticlassNmsResult run(INDArray multiBboxes, INDArray multiScores, double scoreThr,
      NmsConfig nmsCfg, int maxNum, INDArray scoreFactors) {
    Tensors.requireRank(multiScores, "multi_scores", 2);
    Tensors.requireFloating(multiScores, "multi_scores");
    int n = (int) multiScores.size(0);
    int numClasses = (int) multiScores.size(1) - 1;
    if (numClasses < 0) {
      throw new IllegalArgumentException("multi_scores must be [N,C+1] (last column background); got "
          + Tensors.shapeOf(multiScores));
    }
    Tensors.requireRank(multiBboxes, "multi_bboxes", 2);
    Tensors.requireFloating(multiBboxes, "multi_bboxes");
    long cols = multiBboxes.size(1);
    boolean perClass = cols > 4;
    if (multiBboxes.size(0) != n || (cols != 4 && cols != 4L * numClasses)) {
      throw new IllegalArgumentException("multi_bboxes must be [N,4] or [N,C*4] with N=" + n + ", C=" + numClasses
          + "; got " + Tensors.shapeOf(multiBboxes));
    }
    if (scoreFactors != null) {
      Tensors.requireFloating(scoreFactors, "score_factors");
      NmsArrays.checkVector(scoreFactors, "score_factors", n);
    }
    Args.notNaN("score_thr", scoreThr);
    boolean f32 = !NmsArrays.isDouble(multiBboxes, multiScores);
    double[] bb = Tensors.toDoubles(multiBboxes);
    NmsArrays.requireFiniteRows(bb, "multi_bboxes");
    double[] ms = NmsArrays.values(multiScores, f32);
    // NaN never exceeds score_thr, so a NaN score would vanish from the detections unnoticed; an
    // infinite one would outrank (or undercut) everything.
    Tensors.requireFinite(ms, "multi_scores");
    double[] factors = scoreFactors == null ? null : NmsArrays.values(scoreFactors, f32);
    if (factors != null) {
      Tensors.requireFinite(factors, "score_factors");
    }
    double thr = round(scoreThr, f32);

    int count = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < numClasses; c++) {
        if (ms[i * (numClasses + 1) + c] > thr) {
          count++;
        }
      }
    }
    double[] boxes = new double[4 * count];
    double[] scores = new double[count];
    int[] labels = new int[count];
    int[] flat = new int[count];
    int q = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < numClasses; c++) {
        double s = ms[i * (numClasses + 1) + c];
        if (!(s > thr)) {
          continue;
        }
        int src = perClass ? (i * numClasses + c) * 4 : i * 4;
        System.arraycopy(bb, src, boxes, 4 * q, 4);
        scores[q] = factors == null ? s : round(s * factors[i], f32);
        if (!Double.isFinite(scores[q])) {
          throw new IllegalArgumentException("multi_scores element " + (i * (numClasses + 1) + c) + " (" + s
              + ") times score_factors element " + i + " (" + factors[i] + ") overflows "
              + (f32 ? "float32" : "float64") + " to " + scores[q]);
        }
        labels[q] = c;
        flat[q] = i * numClasses + c;
        q++;
      }
    }
    int[] kept = NmsKeep.keep(boxes, scores, labels, nmsCfg, f32, maxNum, true);
    int[] keptLabels = new int[kept.length];
    int[] keptInds = new int[kept.length];
    for (int t = 0; t < kept.length; t++) {
      keptLabels[t] = labels[kept[t]];
      keptInds[t] = flat[kept[t]];
    }
    return new MulticlassNmsResult(NmsArrays.dets(boxes, scores, kept, multiBboxes.dataType()), keptLabels, keptInds);
  }
}
