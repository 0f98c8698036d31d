package io.detkit.losses;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A loss value and its gradient with respect to the prediction.
 *
 * <p>{@link #value()} is a rank-0 array for {@code mean} and {@code sum} and the element-wise loss
 * for {@code none}; {@link #gradPred()} has the prediction's shape and dtype and is the gradient of
 * {@code sum(upstream * value)} (upstream defaults to ones). For IoU-family losses the prediction is
 * the predicted boxes; for DistributionFocalLoss the distribution logits.
 *
 * <p>{@link #scalar()} throws {@link IllegalStateException} for an unreduced value.
 */
public final class LossResult {
  private final INDArray value;
  private final INDArray gradPred;
  private final Reduction reduction;

  /** Wraps a loss's outputs as they are (not copied or checked); losses create these. */
  public LossResult(INDArray value, INDArray gradPred, Reduction reduction) {
    this.value = value;
    this.gradPred = gradPred;
    this.reduction = reduction;
  }

  /** The loss: a scalar (rank 0) unless the reduction is {@code none}. */
  public INDArray value() {
    return value;
  }

  /**
   * The reduced loss as a double.
   *
   * @throws IllegalStateException if the reduction is {@code none} (use {@link #value()})
   */
  public double scalar() {
    if (value.length() != 1) {
      throw new IllegalStateException("loss was not reduced (reduction='" + reduction.key() + "', shape "
          + java.util.Arrays.toString(value.shape()) + "); read value() instead");
    }
    return value.getDouble(0);
  }

  /** Gradient with respect to the prediction, same shape and dtype. */
  public INDArray gradPred() {
    return gradPred;
  }

  /** The reduction that was applied (the override if one was given). */
  public Reduction reduction() {
    return reduction;
  }
}
