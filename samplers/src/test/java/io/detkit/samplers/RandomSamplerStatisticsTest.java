package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;

import io.detkit.core.assign.AssignResult;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Over many draws through the whole sampler, every candidate is picked with the same probability
 * (chi-square against uniform at p = 1e-4), and the budgets are met on every draw.
 */
class RandomSamplerStatisticsTest {
  /** chi2.ppf(1 - 1e-4, df) for df = 19 and 31. */
  private static final double CHI2_19 = 50.8;
  private static final double CHI2_31 = 69.1;

  @Test
  void everyNegativeCandidateIsEquallyLikely() {
    // 4 positives (all kept), 32 negatives of which num - 4 = 8 are drawn; ignored priors interleaved.
    int[] g = new int[40];
    for (int i = 0; i < 40; i++) {
      g[i] = i % 10 == 0 ? 1 : i % 10 == 5 ? -1 : 0;
    }
    AssignResult a = Fixtures.assign(1, g);
    INDArray boxes = Fixtures.boxes(40);
    RandomSampler s = RandomSampler.TYPE.builder(12, 0.5).options(o -> o.withAddGtAsProposals(false)).build();
    SplittableRandom rng = new SplittableRandom(2024);
    INDArray gts = Fixtures.gts(1);
    int draws = 20_000;
    Map<Integer, Integer> picked = new HashMap<>();
    for (int t = 0; t < draws; t++) {
      SamplingResult r = s.sample(a, boxes, gts, null, rng);
      assertThat(r.posInds().length()).isEqualTo(4);
      assertThat(r.negInds().length()).isEqualTo(8);
      for (int i : r.negInds().toArray()) {
        picked.merge(i, 1, Integer::sum);
      }
    }
    assertThat(picked).hasSize(32);
    // Each draw picks 8 of 32: every candidate is expected draws / 4 times.
    assertThat(chiSquare(picked, draws / 4.0, 32)).isLessThan(CHI2_31);
  }

  @Test
  void everyPositiveCandidateIsEquallyLikely() {
    int[] g = new int[60];
    for (int i = 0; i < 20; i++) {
      g[i * 3] = 1 + i % 2;
    }
    AssignResult a = Fixtures.assign(2, g);
    INDArray boxes = Fixtures.boxes(60);
    RandomSampler s = RandomSampler.TYPE.builder(20, 0.25).options(o -> o.withAddGtAsProposals(false)).build();
    SplittableRandom rng = new SplittableRandom(7);
    INDArray gts = Fixtures.gts(2);
    int draws = 20_000;
    Map<Integer, Integer> picked = new HashMap<>();
    for (int t = 0; t < draws; t++) {
      SamplingResult r = s.sample(a, boxes, gts, null, rng);
      assertThat(r.posInds().length()).isEqualTo(5);
      assertThat(r.negInds().length()).isEqualTo(15);
      for (int i : r.posInds().toArray()) {
        picked.merge(i, 1, Integer::sum);
      }
    }
    assertThat(picked).hasSize(20);
    assertThat(chiSquare(picked, draws * 5 / 20.0, 20)).isLessThan(CHI2_19);
  }

  @Test
  void theStatisticRejectsASkewedPick() {
    // Control: at the test's sample size, one candidate of 32 picked 15% more often fails the bound.
    Map<Integer, Integer> skewed = new HashMap<>();
    for (int i = 0; i < 32; i++) {
      skewed.put(i, i == 0 ? 5_750 : 5_000);
    }
    assertThat(chiSquare(skewed, 5_000, 32)).isGreaterThan(CHI2_31);
  }

  private static double chiSquare(Map<Integer, Integer> counts, double expected, int categories) {
    double chi = (categories - counts.size()) * expected;
    for (int c : counts.values()) {
      chi += (c - expected) * (c - expected) / expected;
    }
    return chi;
  }
}
