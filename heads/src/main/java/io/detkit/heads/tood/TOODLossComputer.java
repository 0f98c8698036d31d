package io.detkit.heads.tood;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.ATSSHead;
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
 * The losses of a {@link TOODHead} (MMDetection's {@code TOODHead.loss} and {@code loss_single}) and
 * their gradients. Per level:
 * <ul>
 *   <li>{@code loss_cls}: before {@code initial_epoch} {@code initial_loss_cls} against the labels,
 *       afterwards {@code loss_cls} against (labels, normalised alignment metrics), both over every
 *       row with the label weights and {@code avg_factor=1};
 *   <li>{@code loss_bbox}: the regression loss of the positives' predicted boxes (stride units, used
 *       as they are) against their gt boxes divided by the stride, weighted by ATSS's centerness
 *       (initial phase) or the normalised alignment metric, {@code avg_factor=1}; 0 without positives.
 * </ul>
 * Then every level's {@code loss_cls} is divided by {@code max(sum over levels and images of the
 * alignment metrics, 1)} and every {@code loss_bbox} by {@code max(sum of the box weights, 1)},
 * gradients included; the sums are taken level by level in the outputs' precision.
 *
 * <p>Stateless apart from its head; thread-safe.
 */
final class TOODLossComputer {
  private final TOODHead head;

  TOODLossComputer(TOODHead head) {
    this.head = head;
  }

  HeadLoss loss(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets t) {
    DataType dtype = anchors.dataType();
    Precision p = Precision.of(dtype);
    boolean alignment = t.epoch() >= head.initialEpoch();
    int levels = anchors.numLevels();
    double metricSum = 0;
    List<double[]> metrics = new ArrayList<>();
    for (int l = 0; l < levels; l++) {
      double[] m = Tensors.toDoubles(t.extra(TOODHead.ALIGNMENT_METRICS, l).orElseThrow());
      metrics.add(m);
      double s = 0;
      for (double v : m) {
        s += v;
      }
      metricSum = p.round(metricSum + p.round(s));
    }
    double clsAvgFactor = Math.max(metricSum, 1.0);
    // The classification gradients are divided by the factor with the values, after the levels.
    GradAccumulator grads = GradAccumulator.forCall(outputs, dtype);
    Map<String, double[]> dict = new LinkedHashMap<>();
    int[][] boxPos = new int[levels][];
    double[][] boxGrad = new double[levels][];
    List<double[]> weightsPerLevel = new ArrayList<>();
    double weightSum = 0;
    for (int l = 0; l < levels; l++) {
      LevelLosses level = new LevelLosses(l, outputs, anchors, t, 1.0, grads, dict);
      double cls = alignment ? head.lossComputer().clsLoss(level, head.lossCls(), metrics.get(l))
          : head.lossComputer().clsLoss(level, head.initialLossCls(), null);
      level.put("loss_cls", p.round(cls / clsAvgFactor));
      level.put("loss_bbox", 0.0);
      int[] pos = level.positives();
      int m = pos.length;
      double[] weights = new double[m];
      double[] source = alignment ? metrics.get(l)
          : Tensors.toDoubles(t.extra(ATSSHead.CENTERNESS_TARGETS, l).orElseThrow());
      for (int k = 0; k < m; k++) {
        weights[k] = source[pos[k]];
      }
      weightsPerLevel.add(weights);
      if (m == 0) {
        continue;
      }
      double stride = head.stride(l);
      double[] gts = level.bboxTargetsAt(pos);
      for (int i = 0; i < gts.length; i++) {
        gts[i] = p.round(gts[i] / stride);
      }
      INDArray pred = Tensors.create(level.valuesAt(HeadOutputs.BBOX_PREDS, pos, 4), dtype, m, 4);
      LossResult rb = head.lossBbox().forward(LossArgs.of(pred, Tensors.create(gts, dtype, m, 4))
          .weight(Tensors.create(weights, dtype, m)).avgFactor(1.0));
      level.put("loss_bbox", rb.scalar());
      boxPos[l] = pos;
      boxGrad[l] = Tensors.toDoubles(rb.gradPred());
      double s = 0;
      for (double w : weights) {
        s += w;
      }
      weightSum = p.round(weightSum + p.round(s));
    }
    double bboxAvgFactor = Math.max(weightSum, 1.0);
    double[] box = dict.get("loss_bbox");
    for (int l = 0; l < levels; l++) {
      grads.divide(HeadOutputs.CLS_SCORES, l, clsAvgFactor);
      box[l] = p.round(box[l] / bboxAvgFactor);
      if (boxPos[l] != null) {
        double[] g = boxGrad[l];
        for (int i = 0; i < g.length; i++) {
          g[i] = g[i] / bboxAvgFactor;
        }
        grads.addAtRows(HeadOutputs.BBOX_PREDS, l, boxPos[l], g, head.numBaseAnchors(l), 4);
      }
    }
    return HeadLoss.of(dict, grads.toOutputs(), t, new TOODLoss(clsAvgFactor, bboxAvgFactor, weightsPerLevel,
        alignment));
  }
}
