package io.detkit.losses;

import java.util.function.BiFunction;

/**
 * The builder of a box loss whose only own parameter is {@code eps} ({@link GIoULoss},
 * {@link DIoULoss}, {@link CIoULoss}): {@code GIoULoss.builder().eps(1e-7).lossWeight(2.0).build()}.
 *
 * @param <L> the loss built
 */
public final class EpsLossBuilder<L extends Loss> extends BoxLossBuilder<EpsLossBuilder<L>, L> {
  private final BiFunction<LossOptions, EpsParams, L> loss;

  EpsLossBuilder(BiFunction<LossOptions, EpsParams, L> loss) {
    super(EpsParams.DEFAULTS.eps());
    this.loss = loss;
  }

  /** @throws IllegalArgumentException for a bad eps or a non-finite lossWeight */
  @Override
  public L build() {
    return loss.apply(options(), new EpsParams(eps));
  }
}
