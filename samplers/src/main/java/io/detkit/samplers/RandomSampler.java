package io.detkit.samplers;

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
 * add_gt_as_proposals=True, seed=0)}; Java: {@code RandomSampler.TYPE.builder(256, 0.5).build()}.
 */
public final class RandomSampler extends BaseSampler {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder(num, posFraction)}, the registry's entry. */
  public static final SamplerType<Void, RandomSampler> TYPE = SamplerType.of(RandomSampler.class, RandomSampler::new);

  /** A sampler with the shared {@code params}. */
  public RandomSampler(SamplerParams params) {
    super(params);
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
