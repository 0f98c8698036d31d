package io.detkit.heads.gfl;

import io.detkit.core.bbox.BboxOverlaps;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.GradAccumulator;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.heads.HeadTargets;
import io.detkit.heads.LevelLosses;
import io.detkit.heads.MultiLevelAnchors;
import io.detkit.core.precision.Precision;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The losses of a {@link GFLHead} (MMDetection's {@code GFLHead.loss} and {@code loss_single}) and
 * their gradients. Per level, in stride units: the positives' anchor centres, their predicted boxes
 * ({@link Integral} distances around the centre, not clipped) and their gt boxes divided by the
 * stride;
 * <ul>
 *   <li>{@code loss_cls}: QualityFocalLoss over every row with the label weights, the quality target
 *       of a positive being the IoU of its predicted box with its gt box (a constant for the
 *       gradient), averaged by {@code max(num_total_pos, 1)};
 *   <li>{@code loss_bbox}: the regression loss (GIoU) of the predicted boxes, weighted by each
 *       positive's max-class sigmoid score (a constant), {@code avg_factor=1};
 *   <li>{@code loss_dfl}: DistributionFocalLoss of the side logits against the gt distances clamped
 *       to {@code [0, reg_max - 0.1]}, the same weights repeated for the 4 sides, {@code avg_factor=4}.
 * </ul>
 * A level without positives gives 0 for both box terms. Finally every level's box and DFL losses
 * (and their gradients) are divided by {@code max(sum over levels of the weights, 1)}, the sum taken
 * in the outputs' precision level by level as MMDetection does.
 *
 * <p>Stateless apart from its head; thread-safe.
 */
final class GFLLossComputer {
  private final GFLHead head;

  GFLLossComputer(GFLHead head) {
    this.head = head;
  }

  HeadLoss loss(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets t) {
    double numTotalSamples = Math.max(t.numTotalPos(), 1.0);
    DataType dtype = anchors.dataType();
    Precision p = Precision.of(dtype);
    GradAccumulator grads = GradAccumulator.forCall(outputs, dtype);
    Map<String, double[]> dict = new LinkedHashMap<>();
    int levels = anchors.numLevels();
    int width = 4 * head.integral().bins();
    int[][] boxGradPos = new int[levels][];
    double[][] boxGrad = new double[levels][];
    List<double[]> qfl = new ArrayList<>();
    List<double[]> weightsPerLevel = new ArrayList<>();
    List<double[]> predsPerLevel = new ArrayList<>();
    List<double[]> targetsPerLevel = new ArrayList<>();
    List<double[]> dflPerLevel = new ArrayList<>();
    double weightSum = 0;
    for (int l = 0; l < levels; l++) {
      LevelLosses level = new LevelLosses(l, outputs, anchors, t, numTotalSamples, grads, dict);
      int[] pos = level.positives();
      Positives ps = positives(level, pos, head.stride(l), p);
      double[] scores = new double[t.labelsData(l).length];
      for (int k = 0; k < pos.length; k++) {
        scores[pos[k]] = ps.iou[k];
      }
      qfl.add(scores);
      weightsPerLevel.add(ps.weights);
      predsPerLevel.add(ps.predBoxes);
      targetsPerLevel.add(ps.targetBoxes);
      dflPerLevel.add(ps.dflTargets);
      level.put("loss_cls", head.lossComputer().clsLoss(level, head.lossCls(), scores));
      level.put("loss_bbox", 0.0);
      level.put(GFLHead.LOSS_DFL, 0.0);
      if (pos.length == 0) {
        continue;
      }
      int m = pos.length;
      INDArray weight = Tensors.create(ps.weights, dtype, m);
      LossResult rb = head.lossBbox().forward(LossArgs.of(Tensors.create(ps.predBoxes, dtype, m, 4),
          Tensors.create(ps.targetBoxes, dtype, m, 4)).weight(weight).avgFactor(1.0));
      double[] gBox = Tensors.toDoubles(rb.gradPred());
      // d box / d distance: x1 = cx - l, y1 = cy - t, x2 = cx + r, y2 = cy + b.
      double[] upstream = new double[m * 4];
      for (int k = 0; k < m; k++) {
        upstream[k * 4] = -gBox[k * 4];
        upstream[k * 4 + 1] = -gBox[k * 4 + 1];
        upstream[k * 4 + 2] = gBox[k * 4 + 2];
        upstream[k * 4 + 3] = gBox[k * 4 + 3];
      }
      double[] g = head.integral().backward(ps.logits, m, upstream, false);
      double[] dflWeight = new double[m * 4];
      for (int k = 0; k < m * 4; k++) {
        dflWeight[k] = ps.weights[k / 4];
      }
      LossResult rd = head.lossDfl().forward(LossArgs.of(
          Tensors.create(ps.logits, dtype, m * 4L, head.integral().bins()),
          Tensors.create(ps.dflTargets, dtype, m * 4L)).weight(Tensors.create(dflWeight, dtype, m * 4L))
          .avgFactor(4.0));
      double[] gd = Tensors.toDoubles(rd.gradPred());
      for (int i = 0; i < g.length; i++) {
        g[i] += gd[i];
      }
      boxGradPos[l] = pos;
      boxGrad[l] = g;
      level.put("loss_bbox", rb.scalar());
      level.put(GFLHead.LOSS_DFL, rd.scalar());
      double levelSum = 0;
      for (double w : ps.weights) {
        levelSum += w;
      }
      // torch sums each level's weights in float32 (accurately), then adds the level sums one by one.
      weightSum = p.round(weightSum + p.round(levelSum));
    }
    double bboxAvgFactor = Math.max(weightSum, 1.0);
    double[] box = dict.get("loss_bbox");
    double[] dfl = dict.get(GFLHead.LOSS_DFL);
    for (int l = 0; l < levels; l++) {
      box[l] = p.round(box[l] / bboxAvgFactor);
      dfl[l] = p.round(dfl[l] / bboxAvgFactor);
      if (boxGradPos[l] != null) {
        double[] g = boxGrad[l];
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] / bboxAvgFactor;
        }
        grads.addAtRows(HeadOutputs.BBOX_PREDS, l, boxGradPos[l], g, head.numBaseAnchors(l), width);
      }
    }
    return HeadLoss.of(dict, grads.toOutputs(), t, new GFLLoss(numTotalSamples, bboxAvgFactor, qfl,
        weightsPerLevel, predsPerLevel, targetsPerLevel, dflPerLevel));
  }

  /** What the box terms of one level read, for its positive rows. */
  private record Positives(double[] logits, double[] weights, double[] predBoxes, double[] targetBoxes,
      double[] iou, double[] dflTargets) {}

  private Positives positives(LevelLosses level, int[] pos, double stride, Precision p) {
    int m = pos.length;
    int c = head.clsOutChannels();
    int regMax = head.regMax();
    double[] logits = level.valuesAt(HeadOutputs.BBOX_PREDS, pos, 4 * head.integral().bins());
    double[] cls = level.valuesAt(HeadOutputs.CLS_SCORES, pos, c);
    double[] anchors = level.anchorsAt(pos);
    double[] gts = level.bboxTargetsAt(pos);
    double[] dist = head.integral().forward(logits, m, p.isSingle());
    double[] weights = new double[m];
    double[] pred = new double[m * 4];
    double[] target = new double[m * 4];
    double[] dflTargets = new double[m * 4];
    double maxDis = p.round(regMax - 0.1);
    for (int k = 0; k < m; k++) {
      double w = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < c; j++) {
        w = Math.max(w, p.sigmoid(cls[k * c + j]));
      }
      weights[k] = w;
      int o = k * 4;
      double cx = p.round(p.round(p.round(anchors[o] + anchors[o + 2]) / 2) / stride);
      double cy = p.round(p.round(p.round(anchors[o + 1] + anchors[o + 3]) / 2) / stride);
      pred[o] = p.round(cx - dist[o]);
      pred[o + 1] = p.round(cy - dist[o + 1]);
      pred[o + 2] = p.round(cx + dist[o + 2]);
      pred[o + 3] = p.round(cy + dist[o + 3]);
      for (int s = 0; s < 4; s++) {
        target[o + s] = p.round(gts[o + s] / stride);
      }
      dflTargets[o] = clamp(p.round(cx - target[o]), maxDis);
      dflTargets[o + 1] = clamp(p.round(cy - target[o + 1]), maxDis);
      dflTargets[o + 2] = clamp(p.round(target[o + 2] - cx), maxDis);
      dflTargets[o + 3] = clamp(p.round(target[o + 3] - cy), maxDis);
    }
    double[] iou = m == 0 ? new double[0] : Tensors.toDoubles(BboxOverlaps.bboxOverlaps(
        Tensors.create(pred, level.dataType(), m, 4), Tensors.create(target, level.dataType(), m, 4), "iou", true));
    return new Positives(logits, weights, pred, target, iou, dflTargets);
  }

  private static double clamp(double v, double max) {
    return Math.min(Math.max(v, 0), max);
  }
}
