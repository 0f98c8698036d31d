package io.detkit.samplers;

import io.detkit.core.assign.AssignResult;
import io.detkit.core.config.ParamChecks;
import io.detkit.core.config.ParamChecks.BinCount;
import io.detkit.core.config.ParamChecks.UnitInterval;
import io.soabase.recordbuilder.core.RecordBuilder;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * MMDetection's {@code IoUBalancedNegSampler} (Libra R-CNN, arXiv:1904.02701): random positives,
 * and negatives spread evenly over IoU intervals instead of drawn uniformly, so that the rare hard
 * negatives (high IoU) are not drowned by the many easy ones.
 *
 * <p>When there are more negatives than the budget {@code n}:
 *
 * <ol>
 *   <li>Negatives split into a floor set and an IoU set by {@code max_overlaps}: for
 *       {@code floor_thr > 0}, floor = {@code [0, floor_thr)} and IoU set = {@code >= floor_thr};
 *       for {@code floor_thr} 0 or -1, floor = {@code == 0} and IoU set = {@code > 0}.
 *   <li>{@code int(n * (1 - floor_fraction))} come from the IoU set: with {@code num_bins >= 2},
 *       {@code [t, max_iou)} is cut into {@code num_bins} equal half-open intervals
 *       ({@code t = max(floor_thr, 0)}, {@code max_iou} the maximum over all priors, positives
 *       included), up to {@code int(budget / num_bins)} drawn from each, the shortfall drawn from
 *       the rest of the IoU set; with one bin, uniformly.
 *   <li>The floor set fills the remaining budget; if it cannot, the rest of the negatives do.
 * </ol>
 *
 * <p>So the count is always exactly {@code min(#negatives, n)}, as with {@link RandomSampler}.
 *
 * <p>MMDetection quirk, reproduced in its steady state: with {@code floor_thr=-1} MMDetection's
 * first call on a sampler instance puts every negative into the IoU set and then overwrites the
 * instance's {@code floor_thr} with 0, so that every later call behaves as {@code floor_thr=0}
 * (zero-IoU negatives only top up the budget). detkit samplers are immutable and history-free,
 * so {@code floor_thr=-1} always behaves as MMDetection does from its second call on, that is for
 * all of training but the first image. Bin edges are computed in float64.
 *
 * <p>Config: {@code dict(type='IoUBalancedNegSampler', num=512, pos_fraction=0.25, floor_thr=-1,
 * floor_fraction=0, num_bins=3)} plus the RandomSampler keys.
 */
public final class IoUBalancedNegSampler extends BaseSampler {
  /**
   * The type: {@code TYPE.fromConfig(cfg)}, {@code TYPE.builder(num, posFraction)} (own parameters at
   * MMDetection's defaults), the registry's entry.
   */
  public static final SamplerType<Params, IoUBalancedNegSampler> TYPE =
      SamplerType.of(IoUBalancedNegSampler.class, Params.DEFAULTS, IoUBalancedNegSampler::new);

  private final Params own;

  /**
   * IoUBalancedNegSampler's own parameters, checked here once for {@code TYPE.fromConfig} and the builder.
   *
   * @param floorThr IoU below which negatives form the randomly sampled floor set; -1 behaves as 0
   *     (see the class comment)
   * @param floorFraction fraction of the negative budget drawn from the floor set, in [0, 1]
   * @param numBins number of IoU bins the other negatives are balanced over, in [1, Limits.MAX_BINS]
   */
  @RecordBuilder
  public record Params(double floorThr, @UnitInterval double floorFraction, @BinCount int numBins)
      implements IoUBalancedNegSamplerParamsBuilder.With {
    /** MMDetection's defaults. */
    public static final Params DEFAULTS = new Params(-1, 0, 3);

    /**
     * The ranges declared on the components ({@link ParamChecks}; each bin is a pass over the
     * IoU-set negatives, so the bin bound keeps a call linear in practice), then by hand
     * {@code floor_thr}, whose sentinel -1 ("no floor") sits outside its range.
     *
     * @throws IllegalArgumentException naming the parameter out of range
     */
    public Params {
      ParamChecks.check(Params.class, floorThr, floorFraction, numBins);
      if (!(floorThr >= 0 || floorThr == -1)) {
        throw new ParamChecks.BadParameter("floor_thr", "IoUBalancedNegSampler: floor_thr must be >= 0, or -1 for"
            + " IoU-balanced sampling of all negatives; got " + floorThr);
      }
    }
  }

  /** A sampler with the shared {@code params} and its own {@code own}. */
  public IoUBalancedNegSampler(SamplerParams params, Params own) {
    super(params);
    this.own = Objects.requireNonNull(own, "own");
  }

  /** The sampler's own parameters. */
  @Override
  public Params ownParams() {
    return own;
  }

  @Override
  protected String describeOwnParams() {
    return ", floor_thr=" + number(own.floorThr) + ", floor_fraction=" + number(own.floorFraction) + ", num_bins="
        + own.numBins;
  }

  @Override
  protected int[] samplePos(SamplingContext context, int numExpected) {
    return RandomSampler.randomPositives(context, numExpected);
  }

  @Override
  protected int[] sampleNeg(SamplingContext context, int numExpected) {
    AssignResult assign = context.assignResult();
    return IndexSampling.fitOrChoose(IndexSampling.negatives(assign), numExpected,
        neg -> balancedNegatives(assign, neg, numExpected, context.rng()));
  }

  /** The floor set and the IoU set sampled apart (the latter by interval), then topped up from all negatives. */
  private int[] balancedNegatives(AssignResult assign, int[] neg, int numExpected, RandomGenerator rng) {
    int size = assign.size();
    int[] floorNeg = new int[neg.length];
    int[] iouNeg = new int[neg.length];
    int nf = 0;
    int ni = 0;
    for (int i : neg) {
      double ov = assign.maxOverlap(i);
      boolean inFloor;
      boolean inIou;
      if (own.floorThr() > 0) {
        inFloor = ov >= 0 && ov < own.floorThr();
        inIou = ov >= own.floorThr();
      } else {
        inFloor = ov == 0;
        inIou = ov > 0;
      }
      if (inFloor) {
        floorNeg[nf++] = i;
      } else if (inIou) {
        iouNeg[ni++] = i;
      }
    }
    floorNeg = Arrays.copyOf(floorNeg, nf);
    iouNeg = Arrays.copyOf(iouNeg, ni);

    int expectedIou = (int) (numExpected * (1 - own.floorFraction()));
    int[] iouSampled = own.numBins() >= 2
        ? IndexSampling.fitOrChoose(iouNeg, expectedIou, g -> sampleViaInterval(assign, g, expectedIou, rng))
        : IndexSampling.atMost(iouNeg, expectedIou, rng);
    int expectedFloor = numExpected - iouSampled.length;
    int[] sampled = IndexSampling.concat(IndexSampling.atMost(floorNeg, expectedFloor, rng), iouSampled);
    if (sampled.length < numExpected) {
      sampled = topUp(sampled, neg, numExpected, size, rng);
    }
    return sampled;
  }

  /** Up to {@code int(n / num_bins)} from each IoU interval, then the shortfall from the rest. */
  private int[] sampleViaInterval(AssignResult assign, int[] candidates, int n, RandomGenerator rng) {
    double maxIou = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < assign.size(); i++) {
      maxIou = Math.max(maxIou, assign.maxOverlap(i));
    }
    double lo = Math.max(own.floorThr(), 0);
    double interval = (maxIou - lo) / own.numBins();
    int perBin = (int) ((double) n / own.numBins());
    int[] sampled = new int[0];
    int[] members = new int[candidates.length];
    for (int b = 0; b < own.numBins(); b++) {
      double start = lo + b * interval;
      double end = lo + (b + 1) * interval;
      int m = 0;
      for (int i : candidates) {
        double ov = assign.maxOverlap(i);
        if (ov >= start && ov < end) {
          members[m++] = i;
        }
      }
      int[] bin = Arrays.copyOf(members, m);
      sampled = IndexSampling.concat(sampled, m > perBin ? IndexSampling.choose(bin, perBin, rng) : bin);
    }
    if (sampled.length < n) {
      sampled = topUp(sampled, candidates, n, assign.size(), rng);
    }
    return sampled;
  }

  /** {@code sampled} plus a uniform draw from {@code pool \ sampled} up to {@code n} in all. */
  private static int[] topUp(int[] sampled, int[] pool, int n, int size, RandomGenerator rng) {
    int extraCount = n - sampled.length;
    int[] extra = IndexSampling.without(pool, sampled, size);
    if (extra.length > extraCount) {
      extra = IndexSampling.choose(extra, extraCount, rng);
    }
    return IndexSampling.concat(sampled, extra);
  }
}
