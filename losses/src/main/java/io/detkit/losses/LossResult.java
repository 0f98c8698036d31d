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
 * <p>Ownership: the caller owns the result and frees its off-heap arrays with {@link #close()}
 * once it has read them (a dropped 58 MB gradient is freed only when a garbage collection finds
 * it). A gradient written into the caller's own array ({@link LossArgs#gradInto}) stays the
 * caller's: {@code close()} leaves it open, as a head's {@code HeadLoss.close()} leaves a
 * {@code HeadStep}'s arrays.
 *
 * @param value the loss: a scalar (rank 0) unless the reduction is {@code none}
 * @param gradPred the gradient with respect to the prediction, same shape and dtype
 * @param reduction the reduction that was applied (the override if one was given)
 * @param callerOwnsGrad whether {@code gradPred} is the caller's {@link LossArgs#gradInto} array,
 *     which {@link #close()} does not close
 */
public record LossResult(INDArray value, INDArray gradPred, Reduction reduction, boolean callerOwnsGrad)
    implements AutoCloseable {
  /** A result that owns both arrays. */
  public LossResult(INDArray value, INDArray gradPred, Reduction reduction) {
    this(value, gradPred, reduction, false);
  }

  /**
   * Releases the value and, unless the caller owns it, the gradient; arrays already released, or
   * marked not closeable by their owner, are left alone, so a second call does nothing. Reading
   * a released array afterwards is the caller's error (ND4J throws).
   */
  @Override
  public void close() {
    release(value);
    if (!callerOwnsGrad) {
      release(gradPred);
    }
  }

  private static void release(INDArray a) {
    if (a != null && a.closeable()) {
      a.close();
    }
  }

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
