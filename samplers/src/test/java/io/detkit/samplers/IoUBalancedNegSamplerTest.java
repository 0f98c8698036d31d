package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.detkit.core.assign.AssignResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IoUBalancedNegSamplerTest {
  /** Priors with the given gt index and overlap, in blocks: {gtInd, overlap, count}. */
  private static AssignResult blocks(int numGts, double[]... spec) {
    List<Integer> g = new ArrayList<>();
    List<Double> ov = new ArrayList<>();
    for (double[] b : spec) {
      for (int i = 0; i < (int) b[2]; i++) {
        g.add((int) b[0]);
        ov.add(b[1]);
      }
    }
    int[] labels = g.stream().mapToInt(x -> x > 0 ? 1 : -1).toArray();
    return new AssignResult(numGts, g.stream().mapToInt(Integer::intValue).toArray(),
        ov.stream().mapToDouble(Double::doubleValue).toArray(), labels);
  }

  private static SamplingResult sample(BaseSampler s, AssignResult a, long seed) {
    return s.sample(a, Fixtures.boxes(a.size()), Fixtures.gts(a.numGts()), Fixtures.labels(a.numGts()),
        new SplittableRandom(seed));
  }

  private static long countWhere(SamplingResult r, AssignResult a, java.util.function.DoublePredicate ov) {
    return IntStream.of(r.negInds().toArray()).filter(i -> ov.test(a.maxOverlap(i))).count();
  }

  @Test
  void rareHardNegativesAreAlwaysKept() {
    // Positives at 0.9 set max_iou = 0.9: bins [0, 0.3), [0.3, 0.6), [0.6, 0.9) with floor_thr=-1.
    AssignResult a = blocks(1,
        new double[] {1, 0.9, 10},
        new double[] {0, 0.0, 100},
        new double[] {0, 0.05, 200},
        new double[] {0, 0.4, 10},
        new double[] {0, 0.65, 4});
    IoUBalancedNegSampler s = IoUBalancedNegSampler.TYPE.builder(64, 0.25)
        .options(o -> o.withAddGtAsProposals(false)).build();
    for (long seed = 0; seed < 30; seed++) {
      SamplingResult r = sample(s, a, seed);
      assertThat(r.posInds().length()).isEqualTo(10);
      assertThat(r.negInds().length()).isEqualTo(54);
      assertThat(countWhere(r, a, ov -> ov >= 0.3)).isEqualTo(14);
      // MMDetection's steady state for floor_thr=-1: zero-IoU negatives only top up the budget.
      assertThat(countWhere(r, a, ov -> ov == 0)).isZero();
      assertThat(countWhere(r, a, ov -> ov == 0.05)).isEqualTo(40);
    }
    // RandomSampler on the same input: hard negatives are mostly missed.
    RandomSampler random = RandomSampler.TYPE.builder(64, 0.25).options(o -> o.withAddGtAsProposals(false)).build();
    assertThat(countWhere(sample(random, a, 0), a, ov -> ov >= 0.3)).isLessThan(10);
  }

  @Test
  void eachBinGetsAtMostItsShareBeforeTheTopUp() {
    // Budget 30 over 3 bins: 10 from each of three well-filled bins, nothing left to top up.
    AssignResult a = blocks(1,
        new double[] {1, 0.9, 1},
        new double[] {0, 0.1, 50},
        new double[] {0, 0.4, 50},
        new double[] {0, 0.7, 50});
    IoUBalancedNegSampler s = IoUBalancedNegSampler.TYPE.builder(31, 0.25)
        .options(o -> o.withAddGtAsProposals(false)).build();
    for (long seed = 0; seed < 20; seed++) {
      SamplingResult r = sample(s, a, seed);
      assertThat(r.negInds().length()).isEqualTo(30);
      assertThat(countWhere(r, a, ov -> ov == 0.1)).isEqualTo(10);
      assertThat(countWhere(r, a, ov -> ov == 0.4)).isEqualTo(10);
      assertThat(countWhere(r, a, ov -> ov == 0.7)).isEqualTo(10);
    }
  }

  @Test
  void floorFractionReservesPartOfTheBudgetBelowTheFloor() {
    AssignResult a = blocks(1,
        new double[] {1, 0.9, 1},
        new double[] {0, 0.05, 100},
        new double[] {0, 0.3, 100});
    IoUBalancedNegSampler s = IoUBalancedNegSampler.TYPE.builder(41, 0.0).options(o -> o.withAddGtAsProposals(false))
        .params(p -> p.withFloorThr(0.1).withFloorFraction(0.5).withNumBins(1)).build();
    for (long seed = 0; seed < 10; seed++) {
      SamplingResult r = sample(s, a, seed);
      assertThat(r.posInds().length()).isZero();
      assertThat(r.negInds().length()).isEqualTo(41);
      assertThat(countWhere(r, a, ov -> ov >= 0.1)).isEqualTo(20); // int(41 * 0.5)
      assertThat(countWhere(r, a, ov -> ov < 0.1)).isEqualTo(21);
    }
  }

  @Test
  void theFloorSetAndThenTheRestFillAShortIouSet() {
    AssignResult a = blocks(1,
        new double[] {1, 0.9, 1},
        new double[] {0, 0.0, 100},
        new double[] {0, 0.2, 5});
    IoUBalancedNegSampler s = IoUBalancedNegSampler.TYPE.builder(31, 0.0).options(o -> o.withAddGtAsProposals(false))
        .params(p -> p.withFloorThr(0)).build();
    SamplingResult r = sample(s, a, 3);
    assertThat(r.negInds().length()).isEqualTo(31);
    assertThat(countWhere(r, a, ov -> ov == 0.2)).isEqualTo(5);
    assertThat(countWhere(r, a, ov -> ov == 0)).isEqualTo(26);

    // Negatives in neither set (overlaps below 0, as ATSS reports) only come in through the last top-up.
    AssignResult odd = blocks(1,
        new double[] {1, 0.9, 1},
        new double[] {0, 0.2, 20},
        new double[] {0, -1, 50});
    IoUBalancedNegSampler floor = IoUBalancedNegSampler.TYPE.builder(30, 0.0)
        .options(o -> o.withAddGtAsProposals(false)).params(p -> p.withFloorThr(0.1)).build();
    SamplingResult topped = sample(floor, odd, 1);
    assertThat(topped.negInds().length()).isEqualTo(30);
    assertThat(countWhere(topped, odd, ov -> ov == 0.2)).isEqualTo(20);
    assertThat(countWhere(topped, odd, ov -> ov < 0)).isEqualTo(10);
  }

  @Test
  void fewNegativesAreAllTaken() {
    AssignResult a = blocks(1, new double[] {1, 0.9, 3}, new double[] {0, 0.3, 7});
    SamplingResult r = sample(IoUBalancedNegSampler.TYPE.builder(64, 0.25).build(), a, 0);
    assertThat(r.negInds().length()).isEqualTo(7);
    assertThat(r.posInds().length()).isEqualTo(4); // 3 positives plus the gt added as a proposal
  }

  @Test
  void rejectsInvalidParametersNamingThem() {
    assertThatThrownBy(() -> IoUBalancedNegSampler.TYPE.builder(8, 0.5).params(p -> p.withFloorThr(-0.5)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor_thr").hasMessageContaining("-0.5");
    assertThatThrownBy(() -> IoUBalancedNegSampler.TYPE.builder(8, 0.5).params(p -> p.withFloorFraction(1.5)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("floor_fraction must be in [0, 1]");
    assertThatThrownBy(() -> IoUBalancedNegSampler.TYPE.builder(8, 0.5).params(p -> p.withNumBins(0)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("num_bins must be in [1, 1024] (Limits.MAX_BINS); got 0");
  }
}
