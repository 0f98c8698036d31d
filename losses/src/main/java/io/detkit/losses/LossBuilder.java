package io.detkit.losses;

import java.util.Objects;

/**
 * The base of every loss's {@code builder()}: the options all losses share ({@link LossOptions}),
 * in camelCase, with MMDetection's defaults: {@code reduction} ({@link Reduction#MEAN}),
 * {@code lossWeight} (1.0) and detkit's {@code checkFinite} (false). A loss with parameters of its
 * own adds their setters and fills its {@code Params} record in {@link #build()}, where the record
 * checks them as it does for {@code fromConfig}.
 *
 * <p>Self-typed so that the shared setters return the concrete builder and can be chained with the
 * loss's own: {@code FocalLoss.builder().reduction(Reduction.SUM).gamma(1.5).build()}. Builders
 * are mutable and not thread-safe; the losses they build are immutable (GHMC and GHMR with
 * momentum aside).
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <L> the loss built
 */
public abstract class LossBuilder<B extends LossBuilder<B, L>, L extends Loss> {
  private Reduction reduction = LossOptions.DEFAULTS.reduction();
  private double lossWeight = LossOptions.DEFAULTS.lossWeight();
  private boolean checkFinite = LossOptions.DEFAULTS.checkFinite();

  LossBuilder() {}

  /**
   * How the element-wise loss is reduced ({@code reduction}).
   *
   * @throws NullPointerException if {@code reduction} is null
   */
  public final B reduction(Reduction reduction) {
    this.reduction = Objects.requireNonNull(reduction, "reduction");
    return self();
  }

  /** The scale applied after reduction ({@code loss_weight}); {@link #build()} requires it finite. */
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

  /** The shared options set so far. @throws IllegalArgumentException for a non-finite lossWeight */
  final LossOptions options() {
    return new LossOptions(reduction, lossWeight, checkFinite);
  }

  /**
   * The loss with these options.
   *
   * @throws IllegalArgumentException naming the first parameter that is out of range (a
   *     non-finite {@code lossWeight} included)
   */
  public abstract L build();
}
