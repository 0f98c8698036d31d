package io.detkit.heads.anchorfree;

import io.detkit.heads.LossDetails;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The targets and the intermediate values of MMDetection's {@code VFNetHead.loss}, carried by the
 * {@link io.detkit.heads.HeadLoss} {@link VFNetHead#loss} returns ({@code loss.details(VFNetLoss.class)});
 * its box arrays are released when that loss is closed.
 *
 * @param targets the targets
 * @param posInds flat indices of the positives in the all-levels order
 * @param numPosAvg {@code max(#positives, 1)}, the avg factor of {@code loss_cls}
 * @param iouInitial {@code max(IoU(predicted, target), 1e-6)} per positive, {@code loss_bbox}'s weight
 * @param iouRefine the same for the refined boxes: {@code loss_bbox_rf}'s weight and the VFL target
 * @param avgFactorInitial {@code max(sum(iouInitial), 1)}
 * @param avgFactorRefine {@code max(sum(iouRefine), 1)}
 * @param posDecodedBboxPreds predicted boxes of the positives ({@code [P,4]})
 * @param posDecodedBboxPredsRefine refined boxes of the positives
 * @param posDecodedBboxTargets target boxes of the positives
 */
public record VFNetLoss(VFNetTargets targets, int[] posInds, double numPosAvg, double[] iouInitial,
    double[] iouRefine, double avgFactorInitial, double avgFactorRefine, INDArray posDecodedBboxPreds,
    INDArray posDecodedBboxPredsRefine, INDArray posDecodedBboxTargets) implements LossDetails {
  @Override
  public void release() {
    posDecodedBboxPreds.close();
    posDecodedBboxPredsRefine.close();
    posDecodedBboxTargets.close();
  }
}
