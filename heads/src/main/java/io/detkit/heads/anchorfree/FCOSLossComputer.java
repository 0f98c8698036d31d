package io.detkit.heads.anchorfree;

import static io.detkit.heads.anchorfree.PointLayout.r;

import io.detkit.core.tensor.Tensors;
import io.detkit.heads.HeadLoss;
import io.detkit.heads.HeadOutputs;
import io.detkit.losses.LossArgs;
import io.detkit.losses.LossResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One call of {@link FCOSHead#loss}: flattens every level and image into one vector of points
 * (MMDetection's order), runs the three losses and scatters their gradients back to the NCHW
 * outputs. Single use, one thread.
 */
final class FCOSLossComputer extends PointLossCall<FCOSHead> {
  private final FCOSTargets targets;
  private final int c;

  FCOSLossComputer(FCOSHead head, PointBatch batch, HeadOutputs outputs, FCOSTargets targets) {
    super(head, batch, outputs);
    this.targets = targets;
    this.c = head.numClasses();
  }

  HeadLoss compute() {
    double[] cls = flatRows(HeadOutputs.CLS_SCORES, c);
    double[] reg = flatRows(HeadOutputs.BBOX_PREDS, 4);
    double[] ctr = flatRows(HeadOutputs.CENTERNESSES, 1);
    long[] labels = targets.flatLabels();
    double[] tgt = targets.flatBboxTargets();
    double[] pts = flatPoints();
    int[] pos = PointLayout.positives(labels, c);
    double numPos = Math.max(pos.length, 1.0);

    LossResult lc = head.lossCls().forward(LossArgs.of(Tensors.create(cls, dtype, rows, c),
        Tensors.createLong(labels, rows)).avgFactor(numPos));
    double[] gCls = Tensors.toDoubles(lc.gradPred());
    double[] gReg = new double[rows * 4];
    double[] gCtr = new double[rows];
    double lossBbox = 0;
    double lossCtr = 0;
    int p = pos.length;
    double[] ctrTargets = new double[p];
    double denorm = 1e-6;
    double[] posPts = new double[2 * p];
    double[] posReg = new double[4 * p];
    double[] posTgt = new double[4 * p];
    double[] posCtr = new double[p];
    for (int k = 0; k < p; k++) {
      int i = pos[k];
      System.arraycopy(pts, 2 * i, posPts, 2 * k, 2);
      System.arraycopy(reg, 4 * i, posReg, 4 * k, 4);
      System.arraycopy(tgt, 4 * i, posTgt, 4 * k, 4);
      posCtr[k] = ctr[i];
      ctrTargets[k] = centerness(posTgt, k);
    }
    INDArray ptsArr = Tensors.create(posPts, dtype, p, 2);
    INDArray decodedPred = decode(ptsArr, posReg);
    INDArray decodedTgt = decode(ptsArr, posTgt);
    if (p > 0) {
      double sum = 0;
      for (double v : ctrTargets) {
        sum += v;
      }
      denorm = Math.max(r(sum, f32), 1e-6);
      INDArray w = Tensors.create(ctrTargets, dtype, p);
      LossResult lb = head.lossBbox().forward(LossArgs.of(decodedPred, decodedTgt).weight(w).avgFactor(denorm));
      lossBbox = lb.scalar();
      double[] g = decodeGrad(ptsArr, posReg, lb.gradPred());
      LossResult lz = head.lossCenterness().forward(LossArgs.of(Tensors.create(posCtr, dtype, p), w)
          .avgFactor(numPos));
      lossCtr = lz.scalar();
      double[] gz = Tensors.toDoubles(lz.gradPred());
      for (int k = 0; k < p; k++) {
        System.arraycopy(g, 4 * k, gReg, 4 * pos[k], 4);
        gCtr[pos[k]] = gz[k];
      }
    }
    Map<String, double[]> losses = new LinkedHashMap<>();
    losses.put("loss_cls", new double[] {lc.scalar()});
    losses.put("loss_bbox", new double[] {lossBbox});
    losses.put("loss_centerness", new double[] {lossCtr});
    addRows(HeadOutputs.CLS_SCORES, gCls, c);
    addRows(HeadOutputs.BBOX_PREDS, gReg, 4);
    addRows(HeadOutputs.CENTERNESSES, gCtr, 1);
    return HeadLoss.of(losses, grads.toOutputs(), null, new FCOSLoss(targets, pos, ctrTargets, numPos, denorm, decodedPred,
        decodedTgt));
  }

  /** {@code sqrt(min(l,r)/max(l,r) * min(t,b)/max(t,b))} of target row {@code k}, torch's float32 order. */
  private double centerness(double[] t, int k) {
    double l = t[4 * k];
    double tp = t[4 * k + 1];
    double rt = t[4 * k + 2];
    double b = t[4 * k + 3];
    double lr = r(Math.min(l, rt) / Math.max(l, rt), f32);
    double tb = r(Math.min(tp, b) / Math.max(tp, b), f32);
    return r(Math.sqrt(r(lr * tb, f32)), f32);
  }
}
