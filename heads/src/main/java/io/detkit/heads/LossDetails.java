package io.detkit.heads;

/**
 * The values a head computed its loss from (divisors, weights, decoded boxes), for checking against
 * MMDetection: the {@link HeadLoss} a head returns carries them, read back by type with
 * {@link HeadLoss#details(Class)} ({@code loss.details(GFLLoss.class)}). {@code GFLLoss},
 * {@code TOODLoss}, {@code FCOSLoss} and {@code VFNetLoss} implement it; a user's head attaches its
 * own record with {@link HeadLoss#of(java.util.Map, HeadOutputs, HeadTargets, LossDetails)}.
 * Immutable values; any thread.
 */
public interface LossDetails {
  /**
   * Releases the ND4J arrays these details hold, when the loss that carries them is closed
   * ({@link HeadLoss#close()} calls it once). The default holds none.
   */
  default void release() {}
}
