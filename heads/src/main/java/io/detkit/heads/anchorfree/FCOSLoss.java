package io.detkit.heads.anchorfree;

import io.detkit.heads.LossDetails;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The targets and the intermediate values MMDetection's {@code FCOSHead.loss} computes on the way,
 * carried by the {@link io.detkit.heads.HeadLoss} {@link FCOSHead#loss} returns
 * ({@code loss.details(FCOSLoss.class)}); its two box arrays are released when that loss is closed.
 *
 * @param targets the labels and box targets per level
 * @param posInds flat indices of the positives in the all-levels order (level offset +
 *     {@code (n*H_l + y)*W_l + x})
 * @param centernessTargets the centerness target of each positive
 * @param numPos {@code max(#positives, 1)}, the avg factor of {@code loss_cls} and {@code loss_centerness}
 * @param centernessDenorm {@code max(sum(centernessTargets), 1e-6)}, the avg factor of {@code loss_bbox}
 * @param posDecodedBboxPreds the predicted boxes of the positives given to {@code loss_bbox}
 *     ({@code [P,4]}; {@code [0,4]} without positives)
 * @param posDecodedBboxTargets their target boxes
 */
public record FCOSLoss(FCOSTargets targets, int[] posInds, double[] centernessTargets, double numPos,
    double centernessDenorm, INDArray posDecodedBboxPreds, INDArray posDecodedBboxTargets) implements LossDetails {
  @Override
  public void release() {
    posDecodedBboxPreds.close();
    posDecodedBboxTargets.close();
  }
}
