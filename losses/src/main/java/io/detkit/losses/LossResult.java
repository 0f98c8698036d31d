package io.detkit.losses;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss value and its gradient with respect to the prediction, held as they are (not copied or
 * checked); losses create these.
 *
 * <p>{@link #value()} is a rank-0 array for {@code mean} and {@code sum} and the element-wise loss
 * for {@code none}; {@link #gradPred()} has the prediction's shape and dtype and is the gradient of
 * {@code sum(upstream * value)} (upstream defaults to ones). For IoU-family losses the prediction is
 * the predicted boxes; for DistributionFocalLoss the distribution logits.
 *
 * <p>{@link #scalar()} throws {@link IllegalStateException} for an unreduced value.
 *
 * @param value the loss: a scalar (rank 0) unless the reduction is {@code none}
 * @param gradPred the gradient with respect to the prediction, same shape and dtype
 * @param reduction the reduction that was applied (the override if one was given)
 */
public record LossResult(INDArray value, INDArray gradPred, Reduction reduction) {
  /**
   * The reduced loss as a double.
   *
   * @throws IllegalStateException if the reduction is {@code none} (use {@link #value()})
   */
  public double scalar() {
    if (value.length() != 1) {
      throw new IllegalStateException("loss was not reduced (reduction='" + reduction.key() + "', shape "
          + Arrays.toString(value.shape()) + "); read value() instead");
    }
    return value.getDouble(0);
  }
}
