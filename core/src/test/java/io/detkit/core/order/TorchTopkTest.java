package io.detkit.core.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TorchTopkTest {
  @Test
  void allEqualValuesPickWhatLibstdcxxIntroselectLeavesInFront() {
    // Traced by hand through std::nth_element (median-of-three pivot, unguarded partition) on five
    // equal values: the queue becomes [2, 4, 3, 0, 1], so topk(2) returns indices 2 and 4.
    assertThat(new TorchTopk().smallest(new double[5], 5, 2)).containsExactly(2, 4);
  }

  @Test
  void distinctValuesComeOutAscendingOnBothPaths() {
    Random rnd = new Random(7);
    TorchTopk topk = new TorchTopk();
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(trial % 2 == 0 ? 40 : 2000);
      int k = 1 + rnd.nextInt(Math.min(n, 12));
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextDouble(); // distinct with overwhelming probability
      }
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(v[a], v[b]));
      int[] expected = new int[k];
      for (int i = 0; i < k; i++) {
        expected[i] = order[i];
      }
      assertThat(topk.smallest(v, n, k)).as("n=%d k=%d", n, k).containsExactly(expected);
    }
  }

  @Test
  void tiesStillSelectTheKSmallestValuesWithTheFirstKMinusOneSorted() {
    Random rnd = new Random(11);
    TorchTopk topk = new TorchTopk();
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rnd.nextInt(trial % 2 == 0 ? 30 : 1500);
      int k = 1 + rnd.nextInt(Math.min(n, 12));
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        v[i] = rnd.nextInt(4);
      }
      int[] got = topk.smallest(v, n, k);
      double[] sorted = v.clone();
      Arrays.sort(sorted);
      double[] gotValues = new double[k];
      for (int i = 0; i < k; i++) {
        gotValues[i] = v[got[i]];
      }
      assertThat(Arrays.stream(got).distinct().count()).isEqualTo(k);
      double[] sortedGot = gotValues.clone();
      Arrays.sort(sortedGot);
      assertThat(sortedGot).containsExactly(Arrays.copyOf(sorted, k));
      for (int i = 1; i < k - 1; i++) {
        assertThat(gotValues[i]).isGreaterThanOrEqualTo(gotValues[i - 1]);
      }
    }
  }

  @Test
  void nanSortsAfterEveryNumber() {
    double[] v = {Double.NaN, 3, Double.NaN, 1, 2};
    assertThat(new TorchTopk().smallest(v, 5, 3)).containsExactly(3, 4, 1);
  }

  @Test
  void rejectsALengthBeyondTheValues() {
    assertThatThrownBy(() -> new TorchTopk().smallest(new double[3], 4, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n must be in [0, 3]; got 4");
  }
}
