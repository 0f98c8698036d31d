package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * MMDetection's {@code InstanceBalancedPosSampler}: positives balanced across ground-truth
 * instances, so that large objects with many matching priors do not crowd out small ones;
 * negatives uniformly at random as in {@link RandomSampler}.
 *
 * <p>When there are more positives than the budget {@code n}, with {@code G} distinct gts among
 * them: each gt keeps up to {@code int(round(n / G) + 1)} of its positives (Python's
 * {@code round}: halves to even), drawn uniformly; if that overshoots {@code n}, {@code n} of the
 * kept ones are drawn uniformly; if it falls short by {@code e}, {@code e} more are drawn.
 *
 * <p>MMDetection quirk, reproduced: the shortfall is meant to come from the positives not kept
 * yet, but MMDetection computes that set difference over Python sets of 0-d tensors, which hash by
 * identity, so nothing is removed: the {@code e} extra ones are drawn from all positives, may
 * repeat kept ones, and the duplicates then vanish in {@code unique()}. The number of positives
 * can thus fall below {@code n} and depends on the draw. Negatives fill {@code num - #pos} (subject
 * to {@code neg_pos_ub}) as usual.
 *
 * <p>Config: {@code dict(type='InstanceBalancedPosSampler', num=512, pos_fraction=0.25)} plus the
 * RandomSampler keys.
 */
public final class InstanceBalancedPosSampler extends BaseSampler {
  /** The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder(num, posFraction)}, the registry's entry. */
  public static final SamplerType<Void, InstanceBalancedPosSampler> TYPE =
      SamplerType.of(InstanceBalancedPosSampler.class, InstanceBalancedPosSampler::new);

  /** A sampler with the shared {@code params}. */
  public InstanceBalancedPosSampler(SamplerParams params) {
    super(params);
  }

  @Override
  protected int[] samplePos(SamplingContext context, int numExpected) {
    AssignResult assign = context.assignResult();
    return IndexSampling.fitOrChoose(IndexSampling.positives(assign), numExpected,
        pos -> balanced(assign, pos, numExpected, context.rng()));
  }

  /** Up to about {@code numExpected / numGts + 1} positives per gt, then topped up or cut to {@code numExpected}. */
  private static int[] balanced(AssignResult assign, int[] pos, int numExpected, RandomGenerator rng) {
    int k = assign.numGts();
    int[] perGtCount = new int[k + 1];
    for (int i : pos) {
      perGtCount[assign.gtInd(i)]++;
    }
    int numGts = 0;
    for (int g = 1; g <= k; g++) {
      numGts += perGtCount[g] > 0 ? 1 : 0;
    }
    int quota = (int) (Math.rint((double) numExpected / numGts) + 1);

    // Positives grouped by gt (ascending gt, ascending index within a gt), as nonzero(gt_inds == g).
    int[] start = new int[k + 2];
    for (int g = 1; g <= k; g++) {
      start[g + 1] = start[g] + perGtCount[g];
    }
    int[] grouped = new int[pos.length];
    int[] fill = Arrays.copyOf(start, k + 2);
    for (int i : pos) {
      grouped[fill[assign.gtInd(i)]++] = i;
    }
    int[] sampled = new int[0];
    for (int g = 1; g <= k; g++) {
      if (perGtCount[g] == 0) {
        continue;
      }
      int[] inds = Arrays.copyOfRange(grouped, start[g], start[g + 1]);
      sampled = IndexSampling.concat(sampled, IndexSampling.atMost(inds, quota, rng));
    }
    if (sampled.length < numExpected) {
      int extraCount = numExpected - sampled.length;
      // Deliberately from all positives, not pos \ sampled: see the class comment.
      sampled = IndexSampling.concat(sampled, IndexSampling.atMost(pos, extraCount, rng));
    } else if (sampled.length > numExpected) {
      sampled = IndexSampling.choose(sampled, numExpected, rng);
    }
    return sampled;
  }

  @Override
  protected int[] sampleNeg(SamplingContext context, int numExpected) {
    return RandomSampler.randomNegatives(context, numExpected);
  }
}
