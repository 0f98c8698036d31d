package io.detkit.losses;

import java.util.Objects;

/**
 * The options every regression and IoU-family loss shares, in camelCase: {@code reduction}
 * (default {@link Reduction#MEAN}), {@code lossWeight} (default 1.0) and {@code checkFinite}
 * (default false). Each loss's {@code builder()} returns a subclass that adds the loss's own
 * parameters; {@link #build()} validates them.
 *
 * <p>Builders are mutable and not thread-safe; the losses they build are immutable (GHMR with
 * momentum aside).
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <L> the loss built
 */
public abstract class RegressionLossBuilder<B extends RegressionLossBuilder<B, L>, L extends Loss> {
  Reduction reduction = Reduction.MEAN;
  double lossWeight = 1.0;
  boolean checkFinite;

  RegressionLossBuilder() {}

  /** How the element-wise loss is reduced ({@code reduction}). */
  public final B reduction(Reduction reduction) {
    this.reduction = Objects.requireNonNull(reduction, "reduction");
    return self();
  }

  /** The scale applied after reduction ({@code loss_weight}); checked finite by {@link #build()}. */
  public final B lossWeight(double lossWeight) {
    this.lossWeight = lossWeight;
    return self();
  }

  /** Whether a non-finite value or gradient throws {@link NonFiniteLossException} ({@code check_finite}). */
  public final B checkFinite(boolean checkFinite) {
    this.checkFinite = checkFinite;
    return self();
  }

  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }

  /**
   * The loss with these options.
   *
   * @throws IllegalArgumentException naming the first parameter that is out of range
   */
  public abstract L build();
}
