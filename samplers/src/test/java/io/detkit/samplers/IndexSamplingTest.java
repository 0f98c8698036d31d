package io.detkit.samplers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class IndexSamplingTest {
  /** chi2.ppf(1 - 1e-4, 19): 20 categories. */
  private static final double CHI2_19 = 50.8;

  @Test
  void chooseReturnsDistinctGalleryElementsInGalleryOrder() {
    int[] gallery = {3, 8, 11, 40, 41, 57, 90, 91, 95};
    RandomGenerator rng = new SplittableRandom(5);
    for (int t = 0; t < 200; t++) {
      int[] c = IndexSampling.choose(gallery, 4, rng);
      assertThat(c).hasSize(4).isSorted().doesNotHaveDuplicates();
      assertThat(gallery).contains(c);
    }
  }

  @Test
  void chooseAllOrNoneDrawsNothing() {
    int[] gallery = {1, 2, 3};
    RandomGenerator failing = () -> {
      throw new AssertionError("no draw needed");
    };
    assertThat(IndexSampling.choose(gallery, 3, failing)).containsExactly(1, 2, 3).isNotSameAs(gallery);
    assertThat(IndexSampling.choose(gallery, 0, failing)).isEmpty();
  }

  @Test
  void chooseRejectsCountsOutsideTheGallery() {
    assertThatThrownBy(() -> IndexSampling.choose(new int[5], 6, new SplittableRandom(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k must be in [0, 5]")
        .hasMessageContaining("got 6");
    assertThatThrownBy(() -> IndexSampling.choose(new int[5], -1, new SplittableRandom(0)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
  }

  @Test
  void everyThreeSubsetOfSixIsEquallyLikely() {
    int draws = 60_000;
    RandomGenerator rng = new SplittableRandom(42);
    Map<Integer, Integer> counts = new HashMap<>();
    int[] gallery = {0, 1, 2, 3, 4, 5};
    for (int t = 0; t < draws; t++) {
      counts.merge(mask(IndexSampling.choose(gallery, 3, rng)), 1, Integer::sum);
    }
    assertThat(counts).hasSize(20);
    assertThat(chiSquare(counts, draws, 20)).isLessThan(CHI2_19);
  }

  @Test
  void theStatisticDetectsTheClassicBiasedShuffle() {
    // Control for the test above: swapping with any position (not only later ones) is biased.
    int draws = 60_000;
    RandomGenerator rng = new SplittableRandom(42);
    Map<Integer, Integer> counts = new HashMap<>();
    for (int t = 0; t < draws; t++) {
      int[] p = {0, 1, 2, 3, 4, 5};
      for (int i = 0; i < 3; i++) {
        int j = rng.nextInt(6);
        int tmp = p[i];
        p[i] = p[j];
        p[j] = tmp;
      }
      counts.merge(mask(new int[] {p[0], p[1], p[2]}), 1, Integer::sum);
    }
    assertThat(chiSquare(counts, draws, 20)).isGreaterThan(10 * CHI2_19);
  }

  @Test
  void sortedUniqueSortsAndDropsDuplicates() {
    assertThat(IndexSampling.sortedUnique(new int[] {5, 1, 5, 3, 1})).containsExactly(1, 3, 5);
    assertThat(IndexSampling.sortedUnique(new int[0])).isEmpty();
  }

  @Test
  void candidatesFollowGtIndsAndSkipIgnored() {
    var a = Fixtures.assign(2, 0, 1, -1, 2, 0, -1, 1);
    assertThat(IndexSampling.positives(a)).containsExactly(1, 3, 6);
    assertThat(IndexSampling.negatives(a)).containsExactly(0, 4);
  }

  private static int mask(int[] chosen) {
    int m = 0;
    for (int c : chosen) {
      m |= 1 << c;
    }
    return m;
  }

  static double chiSquare(Map<Integer, Integer> counts, int draws, int categories) {
    double expected = (double) draws / categories;
    double chi = (categories - counts.size()) * expected;
    for (int c : counts.values()) {
      chi += (c - expected) * (c - expected) / expected;
    }
    return chi;
  }
}
