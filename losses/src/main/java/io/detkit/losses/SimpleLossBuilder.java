package io.detkit.losses;

import java.util.function.Function;

/**
 * The builder of a loss that has only the shared options ({@link L1Loss}, {@link MSELoss},
 * {@link DistributionFocalLoss}): {@code L1Loss.builder().lossWeight(2.0).build()}.
 *
 * @param <L> the loss built
 */
public final class SimpleLossBuilder<L extends Loss> extends LossBuilder<SimpleLossBuilder<L>, L> {
  private final Function<LossOptions, L> loss;

  SimpleLossBuilder(Function<LossOptions, L> loss) {
    this.loss = loss;
  }

  /** @throws IllegalArgumentException for a non-finite lossWeight */
  @Override
  public L build() {
    return loss.apply(options());
  }
}
