package io.detkit.losses;

import io.detkit.core.config.ParamsBuilder;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Every loss's {@code builder()}: the options all losses share ({@link LossOptions}) in camelCase,
 * with MMDetection's defaults ({@code reduction} {@link Reduction#MEAN}, {@code lossWeight} 1.0,
 * detkit's {@code checkFinite} false), and the loss's own {@code Params} record, edited through
 * {@link ParamsBuilder#params(UnaryOperator)} with the record's generated withers:
 * {@code FocalLoss.builder().params(p -> p.withGamma(3)).lossWeight(2).build()}.
 *
 * <p>Why one generic builder: each parameter is then declared once, as a component of its loss's
 * {@code Params} record, and checked once, in that record's constructor (the same check and
 * message as from a config). The withers ({@code withGamma}, ...) and the record's own builder
 * ({@code p.with(b -> b.gamma(3).alpha(0.5))}) are generated at compile time by record-builder
 * from the record's components, so no setter is written by hand. A wither that receives a bad
 * value throws there, naming the parameter.
 *
 * <p>Mutable and not thread-safe; the losses it builds are immutable (GHMC and GHMR with momentum
 * aside).
 *
 * @param <P> the loss's {@code Params} record ({@link Void} for a loss with only the shared options)
 * @param <L> the loss built
 */
public final class LossBuilder<P, L extends Loss> extends ParamsBuilder<P, LossBuilder<P, L>> {
  private final BiFunction<LossOptions, P, L> loss;
  private Reduction reduction = LossOptions.DEFAULTS.reduction();
  private double lossWeight = LossOptions.DEFAULTS.lossWeight();
  private boolean checkFinite = LossOptions.DEFAULTS.checkFinite();

  private LossBuilder(P defaults, BiFunction<LossOptions, P, L> loss) {
    super(defaults, "this loss has only the shared options (reduction, loss_weight, check_finite)");
    this.loss = loss;
  }

  /** A builder of a loss whose own parameters start at {@code defaults}. */
  static <P, L extends Loss> LossBuilder<P, L> of(P defaults, BiFunction<LossOptions, P, L> loss) {
    return new LossBuilder<>(Objects.requireNonNull(defaults, "defaults"), loss);
  }

  /** A builder of a loss that has only the shared options. */
  static <L extends Loss> LossBuilder<Void, L> of(Function<LossOptions, L> loss) {
    return new LossBuilder<>(null, (options, none) -> loss.apply(options));
  }

  /**
   * How the element-wise loss is reduced ({@code reduction}).
   *
   * @throws NullPointerException if {@code reduction} is null
   */
  public LossBuilder<P, L> reduction(Reduction reduction) {
    this.reduction = Objects.requireNonNull(reduction, "reduction");
    return this;
  }

  /** The scale applied after reduction ({@code loss_weight}); {@link #build()} requires it finite. */
  public LossBuilder<P, L> lossWeight(double lossWeight) {
    this.lossWeight = lossWeight;
    return this;
  }

  /** Whether a non-finite value or gradient throws {@link NonFiniteLossException} ({@code check_finite}). */
  public LossBuilder<P, L> checkFinite(boolean checkFinite) {
    this.checkFinite = checkFinite;
    return this;
  }

  /**
   * The loss with these options and parameters.
   *
   * @throws IllegalArgumentException for a non-finite {@code lossWeight}
   */
  public L build() {
    return loss.apply(new LossOptions(reduction, lossWeight, checkFinite), currentParams());
  }
}
