package io.detkit.heads;

/**
 * What a head's {@code lossWithDetails} returns: the loss dict with the gradients ({@link #loss()}),
 * and, in the implementing record, the intermediate values the loss was computed from (divisors,
 * weights, decoded boxes), for checking against MMDetection. Point heads' {@code loss} is
 * {@code lossWithDetails(...).loss()}; {@code GFLLoss}, {@code TOODLoss}, {@code FCOSLoss} and
 * {@code VFNetLoss} implement it. Immutable values; any thread.
 */
public interface LossDetails {
  /** The loss dict and the gradient of its total with respect to every output. */
  HeadLoss loss();
}
