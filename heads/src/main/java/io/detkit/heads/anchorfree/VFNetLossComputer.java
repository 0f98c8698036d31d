package io.detkit.heads.anchorfree;

import static io.detkit.heads.anchorfree.PointLayout.r;

import io.detkit.core.bbox.OverlapKernels;
import io.detkit.core.bbox.OverlapMode;
import io.detkit.core.tensor.Tensors;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.losses.Loss;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One call of {@link VFNetHead#loss}: all levels and images flattened into one vector of points,
 * the two IoU-weighted box losses and the VarifocalLoss, their gradients scattered back to the NCHW
 * outputs. Single use, one thread.
 */
final class VFNetLossComputer extends PointLossCall<VFNetHead> {
  private final VFNetTargets targets;

  VFNetLossComputer(VFNetHead head, PointBatch batch, HeadOutputs outputs, VFNetTargets targets) {
    super(head, batch, outputs);
    this.targets = targets;
  }

  /** One box branch of the loss: its decoded boxes, IoU weights, avg factor, value and gradient. */
  private record Branch(INDArray boxes, double[] iou, double avgFactor, double value, double[] grad) {}

  HeadLoss compute() {
    int c = head.numClasses();
    double[] cls = flatRows(HeadOutputs.CLS_SCORES, c);
    double[] reg = flatRows(HeadOutputs.BBOX_PREDS, 4);
    double[] refine = flatRows(VFNetHead.BBOX_PREDS_REFINE, 4);
    long[] labels = targets.points().flatLabels();
    double[] tgt = targets.points().flatBboxTargets();
    double[] pts = flatPoints();
    int[] pos = PointLayout.positives(labels, c);
    int p = pos.length;
    double numPosAvg = Math.max(p, 1.0);
    INDArray posPts = Tensors.create(PointLayout.gather(pts, pos, 2), dtype, p, 2);
    INDArray targetBoxes = decode(posPts, PointLayout.gather(tgt, pos, 4));
    Branch initial = branch(posPts, PointLayout.gather(reg, pos, 4), targetBoxes, head.lossBbox());
    Branch refined = branch(posPts, PointLayout.gather(refine, pos, 4), targetBoxes, head.lossBboxRefine());

    // IoU-aware classification targets: the refined IoU at (positive, label), 0 elsewhere.
    double[] clsTargets = new double[rows * c];
    for (int k = 0; k < p; k++) {
      clsTargets[pos[k] * c + (int) labels[pos[k]]] = refined.iou()[k];
    }
    LossResult lc = head.lossCls().forward(LossArgs.of(Tensors.create(cls, dtype, rows, c),
        Tensors.create(clsTargets, dtype, rows, c)).avgFactor(numPosAvg));
    double[] gReg = new double[rows * 4];
    double[] gRefine = new double[rows * 4];
    for (int k = 0; k < p; k++) {
      System.arraycopy(initial.grad(), 4 * k, gReg, 4 * pos[k], 4);
      System.arraycopy(refined.grad(), 4 * k, gRefine, 4 * pos[k], 4);
    }
    Map<String, double[]> losses = new LinkedHashMap<>();
    losses.put("loss_cls", new double[] {lc.scalar()});
    losses.put("loss_bbox", new double[] {initial.value()});
    losses.put("loss_bbox_rf", new double[] {refined.value()});
    addRows(HeadOutputs.CLS_SCORES, Tensors.toDoubles(lc.gradPred()), c);
    addRows(HeadOutputs.BBOX_PREDS, gReg, 4);
    addRows(VFNetHead.BBOX_PREDS_REFINE, gRefine, 4);
    return HeadLoss.of(losses, grads.toOutputs(), null, new VFNetLoss(targets, pos, numPosAvg, initial.iou(), refined.iou(),
        initial.avgFactor(), refined.avgFactor(), initial.boxes(), refined.boxes(), targetBoxes));
  }

  /**
   * A box branch: boxes decoded from {@code dist}, {@code iou = max(IoU(box, target), 1e-6)}
   * (detached), the loss weighted by it and averaged by {@code max(sum(iou), 1)}, and the gradient
   * w.r.t. the distances. Without positives: 0 and no gradient.
   */
  private Branch branch(INDArray posPts, double[] dist, INDArray targetBoxes, Loss loss) {
    int p = dist.length / 4;
    INDArray boxes = decode(posPts, dist);
    if (p == 0) {
      return new Branch(boxes, new double[0], 1.0, 0.0, new double[0]);
    }
    double[] iou = f32 ? Tensors.widen(OverlapKernels.aligned(Tensors.toFloats(boxes), Tensors.toFloats(targetBoxes),
        OverlapMode.IOU, 1e-6f)) : OverlapKernels.aligned(Tensors.toDoubles(boxes), Tensors.toDoubles(targetBoxes),
        OverlapMode.IOU, 1e-6);
    double sum = 0;
    for (int k = 0; k < p; k++) {
      iou[k] = Math.max(iou[k], r(1e-6, f32));
      sum += iou[k];
    }
    double avg = Math.max(r(sum, f32), 1.0);
    LossResult lr = loss.forward(LossArgs.of(boxes, targetBoxes).weight(Tensors.create(iou, dtype, p))
        .avgFactor(avg));
    double[] g = decodeGrad(posPts, dist, lr.gradPred());
    return new Branch(boxes, iou, avg, lr.scalar(), g);
  }
}
