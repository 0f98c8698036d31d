package io.detkit.heads;

import io.detkit.core.tensor.Tensors;
import io.detkit.losses.FocalLoss;
import io.detkit.losses.FusedFocal;
import io.detkit.losses.GHMC;
import io.detkit.losses.L1Loss;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import io.detkit.losses.Reduction;
import io.detkit.losses.SmoothL1Loss;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The loss computer of an {@link AnchorHead} (MMDetection's {@code loss} and {@code loss_single}):
 * per level the classification loss over every anchor row with the label weights and the
 * regression loss with the box weights, both averaged by the head's {@link AnchorHead#avgFactor},
 * and the gradient of each with respect to the raw outputs, added to the call's
 * {@link GradAccumulator}.
 *
 * <p>Get it with {@link AnchorHead#lossComputer()}; the per-level hooks of a head call its methods.
 * Stateless apart from its head; thread-safe (the losses' own state, e.g. GHM's running counts,
 * excepted).
 */
public final class LossComputer {
  private final AnchorHead head;

  LossComputer(AnchorHead head) {
    this.head = head;
  }

  /**
   * The loss dict and gradients from computed targets: per level the head's
   * {@link AnchorHead#levelLosses} hook, on the caller's thread.
   */
  public HeadLoss loss(HeadOutputs outputs, MultiLevelAnchors anchors, HeadTargets t) {
    double avgFactor = head.avgFactor(t);
    GradAccumulator grads = new GradAccumulator(outputs, anchors.dataType(), HeadStep.active());
    Map<String, double[]> dict = new LinkedHashMap<>();
    for (int l = 0; l < anchors.numLevels(); l++) {
      head.levelLosses(new LevelLosses(l, outputs, anchors, t, avgFactor, grads, dict));
    }
    return HeadLoss.of(dict, grads.toOutputs(), t);
  }

  /** {@link #clsLoss(LevelLosses, Loss, double[])} with the head's {@code loss_cls} and hard labels. */
  public double clsLoss(LevelLosses l) {
    return clsLoss(l, head.lossCls(), null);
  }

  /**
   * The classification loss of a level, adding its gradient to {@code cls_scores}:
   * {@code loss(cls_scores[l] as [N*H*W*A, C] rows, target, label_weights, avg_factor)}, where the
   * target is the labels, or MMDetection's {@code (labels, scores)} pair when {@code softScores} is
   * given (QualityFocalLoss's IoU targets). A {@link GHMC} loss gets the label weights as its third
   * input and no avg_factor, as MMDetection's anchor head calls it (GHMC normalises by its count of
   * valid elements itself).
   *
   * <p>The sigmoid {@link FocalLoss} with hard labels (RetinaNet's and ATSS's call) reads the level in
   * place and writes its gradient straight into the accumulator's array ({@link FusedFocal#meanLevel}):
   * the same bits, without the permuted copies.
   *
   * @param softScores one score per row of the level (image-major), or null for hard labels
   * @return the loss value (already times its {@code loss_weight})
   */
  public double clsLoss(LevelLosses l, Loss loss, double[] softScores) {
    int level = l.level();
    int c = head.clsOutChannels();
    if (softScores == null && loss instanceof FocalLoss f && !f.params().activated()
        && f.reduction() == Reduction.MEAN && !f.checkFinite()) {
      INDArray grad = l.grads().fresh(HeadOutputs.CLS_SCORES, level);
      if (grad != null) {
        LevelArrays t = l.targets().levels();
        OptionalDouble v = FusedFocal.meanLevel(l.output(HeadOutputs.CLS_SCORES), l.anchorsPerLocation(),
            t.labels(level), t.labelWeights(level), f.params().gamma(), f.params().alpha(), f.lossWeight(),
            l.avgFactor(), grad);
        if (v.isPresent()) {
          l.grads().add(HeadOutputs.CLS_SCORES, level, grad);
          return v.getAsDouble();
        }
      }
    }
    INDArray pred = l.rows(HeadOutputs.CLS_SCORES, c);
    int rows = (int) pred.size(0);
    DataType dtype = l.dataType();
    INDArray labels = Tensors.createLong(l.targets().levels().labels(level), rows);
    INDArray weights = Tensors.create(l.targets().levels().labelWeights(level), dtype, rows);
    LossArgs args;
    if (loss instanceof GHMC) {
      args = LossArgs.of(pred, labels, weights);
    } else if (softScores != null) {
      args = LossArgs.of(pred, labels, Tensors.create(softScores, dtype, rows)).weight(weights)
          .avgFactor(l.avgFactor());
    } else {
      args = LossArgs.of(pred, labels).weight(weights).avgFactor(l.avgFactor());
    }
    LossResult r = loss.forward(args);
    l.grads().addRows(HeadOutputs.CLS_SCORES, level, r.gradPred(), c);
    return r.scalar();
  }

  /** {@link #bboxLoss(LevelLosses, Loss)} with the head's {@code loss_bbox}. */
  public double bboxLoss(LevelLosses l) {
    return bboxLoss(l, head.lossBbox());
  }

  /**
   * The regression loss of a level, adding its gradient to {@code bbox_preds}:
   * {@code loss(bbox_preds[l] as [N*H*W*A, 4] rows, bbox_targets, bbox_weights, avg_factor)},
   * decoding the rows with the level's anchors first when {@code reg_decoded_bbox} (the gradient
   * then flows back through the decoder).
   *
   * @return the loss value (already times its {@code loss_weight})
   */
  public double bboxLoss(LevelLosses l, Loss loss) {
    if (!head.regDecodedBbox() && (loss instanceof L1Loss || loss instanceof SmoothL1Loss)
        && loss.reduction() == Reduction.MEAN && !loss.checkFinite() && loss.lossWeight() >= 0) {
      OptionalDouble v = weightedRowsLoss(l, loss);
      if (v.isPresent()) {
        return v.getAsDouble();
      }
    }
    int level = l.level();
    INDArray preds = l.output(HeadOutputs.BBOX_PREDS);
    int n = (int) preds.size(0);
    DataType dtype = l.dataType();
    INDArray pred = l.rows(HeadOutputs.BBOX_PREDS, 4);
    int rows = (int) pred.size(0);
    INDArray targets = Tensors.create(l.targets().levels().bboxTargets(level), dtype, rows, 4);
    INDArray weights = Tensors.create(l.targets().levels().bboxWeights(level), dtype, rows, 4);
    INDArray levelAnchors = null;
    INDArray input = pred;
    if (head.regDecodedBbox()) {
      double[] one = l.anchors().anchorData(level);
      double[] all = new double[rows * 4];
      for (int i = 0; i < n; i++) {
        System.arraycopy(one, 0, all, i * one.length, one.length);
      }
      levelAnchors = Tensors.create(all, dtype, rows, 4);
      input = head.bboxCoder().decode(levelAnchors, pred, null);
    }
    LossResult r = loss.forward(LossArgs.of(input, targets).weight(weights).avgFactor(l.avgFactor()));
    INDArray grad = head.regDecodedBbox() ? head.bboxCoder().decodeVjp(levelAnchors, pred, null, r.gradPred())
        : r.gradPred();
    l.grads().addRows(HeadOutputs.BBOX_PREDS, level, grad, 4);
    return r.scalar();
  }

  /**
   * An element-wise regression loss over the rows with a non-zero box weight only (the positives),
   * read in place: every other element adds exactly +0 to the sum and gets a +0 gradient (the
   * regression losses' zero-weight rule), and the sum runs in the same row order, so the value and
   * gradient bits are those of the whole level. Empty when a weight is negative or NaN (then the
   * whole level runs, where the sign of a zero gradient could differ).
   */
  private OptionalDouble weightedRowsLoss(LevelLosses l, Loss loss) {
    int level = l.level();
    double[] w = l.targets().levels().bboxWeights(level);
    int m = 0;
    int[] rows = new int[w.length / 4];
    for (int r = 0; r < rows.length; r++) {
      boolean any = false;
      for (int c = 0; c < 4; c++) {
        double v = w[r * 4 + c];
        if (!(v >= 0)) {
          return OptionalDouble.empty();
        }
        any |= v != 0;
      }
      if (any) {
        rows[m++] = r;
      }
    }
    rows = java.util.Arrays.copyOf(rows, m);
    if (m == 0) {
      l.grads().addAtRows(HeadOutputs.BBOX_PREDS, level, rows, new double[0], l.anchorsPerLocation(), 4);
      return OptionalDouble.of(0.0);
    }
    DataType dtype = l.dataType();
    INDArray pred = Tensors.create(l.valuesAt(HeadOutputs.BBOX_PREDS, rows, 4), dtype, m, 4);
    INDArray targets = Tensors.create(l.bboxTargetsAt(rows), dtype, m, 4);
    INDArray weights = Tensors.create(LevelLosses.rowsAt(w, rows, 4), dtype, m, 4);
    LossResult r = loss.forward(LossArgs.of(pred, targets).weight(weights).avgFactor(l.avgFactor()));
    l.grads().addAtRows(HeadOutputs.BBOX_PREDS, level, rows, Tensors.toDoubles(r.gradPred()), l.anchorsPerLocation(),
        4);
    return OptionalDouble.of(r.scalar());
  }
}
