package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.assign.AssignResult;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class InstanceBalancedPosSamplerTest {
  /** {@code perGt[j]} positives for gt {@code j+1}, then {@code neg} negatives. */
  private static AssignResult instances(int neg, int... perGt) {
    int total = neg;
    for (int c : perGt) {
      total += c;
    }
    int[] g = new int[total];
    int i = 0;
    for (int j = 0; j < perGt.length; j++) {
      for (int c = 0; c < perGt[j]; c++) {
        g[i++] = j + 1;
      }
    }
    return Fixtures.assign(perGt.length, g);
  }

  private static SamplingResult sample(InstanceBalancedPosSampler s, AssignResult a, long seed) {
    return s.sample(a, Fixtures.boxes(a.size()), Fixtures.gts(a.numGts()), Fixtures.labels(a.numGts()),
        new SplittableRandom(seed));
  }

  private static int[] perGt(SamplingResult r, int numGts) {
    int[] count = new int[numGts];
    for (int g : r.posAssignedGtInds().toArray()) {
      count[g]++;
    }
    return count;
  }

  private static InstanceBalancedPosSampler sampler(int num, double posFraction) {
    return InstanceBalancedPosSampler.TYPE.builder(num, posFraction).options(o -> o.withAddGtAsProposals(false))
        .build();
  }

  @Test
  void eachInstanceGetsAtMostItsQuota() {
    // 30 expected, 3 gts: quota int(round(10.0) + 1) = 11; 33 kept, then 30 of those drawn.
    AssignResult a = instances(200, 100, 20, 20);
    InstanceBalancedPosSampler s = sampler(60, 0.5);
    for (long seed = 0; seed < 50; seed++) {
      SamplingResult r = sample(s, a, seed);
      assertThat(r.posInds().length()).isEqualTo(30);
      assertThat(IntStream.of(perGt(r, 3))).allSatisfy(c -> assertThat(c).isBetween(8, 11));
      assertThat(r.negInds().length()).isEqualTo(30);
    }
  }

  @Test
  void quotaRoundsHalvesToEvenLikePython() {
    // 5 expected over 2 gts: round(2.5) = 2, so quota 3; rounding half up would allow 4.
    AssignResult a = instances(50, 10, 10);
    InstanceBalancedPosSampler s = sampler(10, 0.5);
    for (long seed = 0; seed < 200; seed++) {
      SamplingResult r = sample(s, a, seed);
      assertThat(r.posInds().length()).isEqualTo(5);
      assertThat(IntStream.of(perGt(r, 2))).allSatisfy(c -> assertThat(c).isBetween(2, 3));
    }
  }

  @Test
  void shortfallIsDrawnFromAllPositivesSoDuplicatesShrinkTheCount() {
    // Quota 11: gt 1 gives 11, gts 2 and 3 all of their 2 each = 15 kept; 15 extra are drawn from
    // all 104 positives (MMDetection's identity-hashed set difference removes nothing), and the
    // ones already kept collapse in unique(): on average 15 * 15 / 104 = 2.16 are lost.
    AssignResult a = instances(300, 100, 2, 2);
    InstanceBalancedPosSampler s = sampler(60, 0.5);
    int draws = 200;
    int below = 0;
    long total = 0;
    for (long seed = 0; seed < draws; seed++) {
      SamplingResult r = sample(s, a, seed);
      int[] counts = perGt(r, 3);
      assertThat(counts[1]).isEqualTo(2);
      assertThat(counts[2]).isEqualTo(2);
      assertThat(r.posInds().length()).isBetween(15, 30);
      assertThat(r.negInds().length()).isEqualTo(60 - r.posInds().length());
      below += r.posInds().length() < 30 ? 1 : 0;
      total += r.posInds().length();
    }
    assertThat(below).isGreaterThan(draws / 2);
    assertThat((double) total / draws).isBetween(27.4, 28.3);
  }

  @Test
  void fewPositivesAreAllTaken() {
    AssignResult a = instances(20, 3, 4);
    SamplingResult r = sample(sampler(64, 0.5), a, 0);
    assertThat(r.posInds().toArray()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(r.negInds().length()).isEqualTo(20);
  }
}
