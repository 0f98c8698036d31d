package io.detkit.losses;

import java.util.Objects;

/**
 * The base of every loss's {@code builder()}: the options all losses share, in camelCase, with
 * MMDetection's defaults: {@code reduction} ({@link Reduction#MEAN}), {@code lossWeight} (1.0) and
 * detkit's {@code checkFinite} (false). Each loss's {@code Builder} adds its own parameters, and
 * {@link #build()} validates them all, as the loss's config constructor does.
 *
 * <p>Self-typed so that the shared setters return the concrete builder and can be chained with the
 * loss's own: {@code FocalLoss.builder().reduction(Reduction.SUM).gamma(1.5).build()}. Builders
 * are mutable and not thread-safe; the losses they build are immutable (GHMC and GHMR with
 * momentum aside).
 *
 * @param <B> the concrete builder, returned by every setter
 * @param <L> the loss built. Deliberately not bounded by {@link Loss}: {@code Loss} reads its
 *     common options from this builder, and a bound back would make the two classes depend on each
 *     other. The constructor is package-private, so every builder is one of this package's.
 */
public abstract class LossBuilder<B extends LossBuilder<B, L>, L> {
  Reduction reduction = Reduction.MEAN;
  double lossWeight = 1.0;
  boolean checkFinite;

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

  /**
   * The loss with these options.
   *
   * @throws IllegalArgumentException naming the first parameter that is out of range (a
   *     non-finite {@code lossWeight} included)
   */
  public abstract L build();
}
