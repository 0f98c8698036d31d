package io.detkit.samplers;

import io.detkit.core.config.Config;

/**
 * MMDetection's {@code RandomSampler}: positives and negatives drawn uniformly without replacement
 * from the candidates ({@code gt_inds > 0} and {@code gt_inds == 0}), all of them when there are no
 * more than requested. Counting rules as in {@link BaseSampler}.
 *
 * <p>MMDetection draws with {@code torch.randperm}; detkit draws with a partial Fisher–Yates
 * shuffle ({@link IndexSampling#choose}) from the call's {@link java.util.random.RandomGenerator},
 * so the same generator state gives the same samples (but not torch's). Which samples are taken
 * therefore differs from MMDetection; their distribution (every subset of the requested size
 * equally likely), counts and order (ascending) do not.
 *
 * <p>Config: {@code dict(type='RandomSampler', num=256, pos_fraction=0.5, neg_pos_ub=-1,
 * add_gt_as_proposals=True, seed=0)}; Java: {@code RandomSampler.builder().num(256).posFraction(0.5)
 * .build()}.
 */
public final class RandomSampler extends BaseSampler {
  /** A sampler with the shared {@code params}. */
  public RandomSampler(SamplerParams params) {
    super(params);
  }

  /** A sampler with MMDetection's defaults ({@code neg_pos_ub=-1, add_gt_as_proposals=True}). */
  public static RandomSampler of(int num, double posFraction) {
    return builder().num(num).posFraction(posFraction).build();
  }

  /** A builder; {@code num} and {@code pos_fraction} are required. */
  public static BaseSampler.Builder<Void, RandomSampler> builder() {
    return BaseSampler.Builder.of(RandomSampler::new);
  }

  static RandomSampler fromConfig(Config c) {
    return BaseSampler.configured(c, () -> new RandomSampler(SamplerParams.fromConfig(c)));
  }

  @Override
  protected int[] samplePos(SamplingContext context, int numExpected) {
    return randomPositives(context, numExpected);
  }

  @Override
  protected int[] sampleNeg(SamplingContext context, int numExpected) {
    return randomNegatives(context, numExpected);
  }

  /** All positives when there are at most {@code numExpected}, else a uniform subset of that size. */
  static int[] randomPositives(SamplingContext context, int numExpected) {
    return IndexSampling.atMost(IndexSampling.positives(context.assignResult()), numExpected, context.rng());
  }

  /** All negatives when there are at most {@code numExpected}, else a uniform subset of that size. */
  static int[] randomNegatives(SamplingContext context, int numExpected) {
    return IndexSampling.atMost(IndexSampling.negatives(context.assignResult()), numExpected, context.rng());
  }
}
