package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.assign.AssignResult;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/**
 * MMDetection's counting rules over random budgets and candidate counts: with {@code T+} positive
 * and {@code T-} negative candidates (gts added as proposals included),
 * {@code #pos = min(T+, int(num * pos_fraction))} and
 * {@code #neg = min(T-, num - #pos, int(neg_pos_ub * max(1, #pos)) if neg_pos_ub >= 0)}.
 */
class CountingRulePropertyTest {
  @Provide
  Arbitrary<Double> negPosUb() {
    return Arbitraries.oneOf(Arbitraries.just(-1.0), Arbitraries.integers().between(0, 8).map(Integer::doubleValue),
        Arbitraries.doubles().between(0, 6).ofScale(2));
  }

  private static AssignResult assign(int numGts, int pos, int neg, int ignored, long seed) {
    // Candidates shuffled so that positives, negatives and ignored priors interleave.
    int[] g = Fixtures.gtInds(numGts, pos, neg, ignored);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = g.length - 1; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = g[i];
      g[i] = g[j];
      g[j] = t;
    }
    double[] ov = new double[g.length];
    for (int i = 0; i < g.length; i++) {
      ov[i] = g[i] > 0 ? 0.5 + r.nextDouble() / 2 : g[i] == 0 ? r.nextInt(5) == 0 ? 0 : r.nextDouble() / 2 : 0.45;
    }
    int[] labels = new int[g.length];
    for (int i = 0; i < g.length; i++) {
      labels[i] = g[i] > 0 ? g[i] : -1;
    }
    return new AssignResult(numGts, g, ov, labels);
  }

  private static SamplingResult run(BaseSampler s, AssignResult a, int numGts, long seed) {
    return s.sample(a, Fixtures.boxes(a.size()), Fixtures.gts(numGts), Fixtures.labels(numGts),
        new SplittableRandom(seed));
  }

  private static void checkSets(SamplingResult r, AssignResult a, boolean gtsAdded, int numGts) {
    int off = gtsAdded ? numGts : 0;
    assertThat(r.numBboxes()).isEqualTo(a.size() + off);
    assertThat(r.posInds().toArray()).isSorted().doesNotHaveDuplicates();
    assertThat(IntStream.of(r.posInds().toArray())).allMatch(i -> i < off || a.gtInd(i - off) > 0);
    assertThat(r.negInds().toArray()).isSorted().doesNotHaveDuplicates();
    assertThat(IntStream.of(r.negInds().toArray())).allMatch(i -> i >= off && a.gtInd(i - off) == 0);
  }

  @Property(tries = 250)
  void randomSamplerCountsFollowTheRules(
      @ForAll @IntRange(min = 1, max = 600) int num,
      @ForAll @DoubleRange(min = 0, max = 1) double posFraction,
      @ForAll("negPosUb") double negPosUb,
      @ForAll @IntRange(min = 0, max = 4) int numGts,
      @ForAll @IntRange(min = 0, max = 300) int pos,
      @ForAll @IntRange(min = 0, max = 400) int neg,
      @ForAll @IntRange(min = 0, max = 20) int ignored,
      @ForAll boolean addGt,
      @ForAll long seed) {
    int p = numGts == 0 ? 0 : pos;
    AssignResult a = assign(numGts, p, neg, ignored, seed);
    RandomSampler s = RandomSampler.TYPE.builder(num, posFraction)
        .options(o -> o.withNegPosUb(negPosUb).withAddGtAsProposals(addGt)).build();
    SamplingResult r = run(s, a, numGts, seed);

    boolean gtsAdded = addGt && numGts > 0;
    int totalPos = p + (gtsAdded ? numGts : 0);
    int expectedPos = Math.min(totalPos, (int) (num * posFraction));
    int budget = num - expectedPos;
    if (negPosUb >= 0) {
      budget = Math.min(budget, (int) (negPosUb * Math.max(1, expectedPos)));
    }
    assertThat(r.posInds().length()).isEqualTo(expectedPos);
    assertThat(r.negInds().length()).isEqualTo(Math.min(neg, budget));
    checkSets(r, a, gtsAdded, numGts);
  }

  @Property(tries = 150)
  void iouBalancedNegativesMeetTheBudgetExactly(
      @ForAll @IntRange(min = 1, max = 600) int num,
      @ForAll @DoubleRange(min = 0, max = 1) double posFraction,
      @ForAll("negPosUb") double negPosUb,
      @ForAll @IntRange(min = 1, max = 4) int numGts,
      @ForAll @IntRange(min = 0, max = 200) int pos,
      @ForAll @IntRange(min = 0, max = 500) int neg,
      @ForAll @IntRange(min = 1, max = 5) int numBins,
      @ForAll("floorThr") double floorThr,
      @ForAll @DoubleRange(min = 0, max = 1) double floorFraction,
      @ForAll long seed) {
    AssignResult a = assign(numGts, pos, neg, 7, seed);
    IoUBalancedNegSampler s = IoUBalancedNegSampler.TYPE.builder(num, posFraction)
        .options(o -> o.withNegPosUb(negPosUb))
        .params(p -> p.withNumBins(numBins).withFloorThr(floorThr).withFloorFraction(floorFraction)).build();
    SamplingResult r = run(s, a, numGts, seed);
    int expectedPos = Math.min(pos + numGts, s.numExpectedPos());
    assertThat(r.posInds().length()).isEqualTo(expectedPos);
    assertThat(r.negInds().length()).isEqualTo(Math.min(neg, s.numExpectedNeg(expectedPos)));
    checkSets(r, a, true, numGts);
  }

  @Provide
  Arbitrary<Double> floorThr() {
    return Arbitraries.oneOf(Arbitraries.just(-1.0), Arbitraries.just(0.0), Arbitraries.doubles().between(0.01, 0.6));
  }

  @Property(tries = 150)
  void instanceBalancedPositivesNeverExceedTheBudget(
      @ForAll @IntRange(min = 1, max = 400) int num,
      @ForAll @DoubleRange(min = 0, max = 1) double posFraction,
      @ForAll @IntRange(min = 1, max = 6) int numGts,
      @ForAll @IntRange(min = 0, max = 300) int pos,
      @ForAll @IntRange(min = 0, max = 300) int neg,
      @ForAll boolean addGt,
      @ForAll long seed) {
    AssignResult a = assign(numGts, pos, neg, 3, seed);
    InstanceBalancedPosSampler s = InstanceBalancedPosSampler.TYPE.builder(num, posFraction)
        .options(o -> o.withAddGtAsProposals(addGt)).build();
    SamplingResult r = run(s, a, numGts, seed);
    int totalPos = pos + (addGt ? numGts : 0);
    int expectedPos = s.numExpectedPos();
    if (totalPos <= expectedPos) {
      assertThat(r.posInds().length()).isEqualTo(totalPos);
    } else {
      assertThat(r.posInds().length()).isLessThanOrEqualTo(expectedPos);
    }
    assertThat(r.negInds().length()).isEqualTo(Math.min(neg, s.numExpectedNeg(r.posInds().length())));
    checkSets(r, a, addGt, numGts);
  }
}
